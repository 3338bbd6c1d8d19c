/* Renames lib/fmt.c's functions so the host test links against both it and libc. */
#define memset fmt_memset
#define memcpy fmt_memcpy
#define memmove fmt_memmove
#define memcmp fmt_memcmp
#define strlen fmt_strlen
#define strcmp fmt_strcmp
#define strncmp fmt_strncmp
#define strchr fmt_strchr
#define strstr fmt_strstr
#define vsnprintf fmt_vsnprintf
#define snprintf fmt_snprintf
