/* The smallest Linux program: writes a line, exits with status 3. */
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *msg = "hello from a Linux program\n";
	write(1, msg, strlen(msg));
	for (int i = 1; i < argc; i++) {
		write(1, argv[i], strlen(argv[i]));
		write(1, "\n", 1);
	}
	return 3;
}
