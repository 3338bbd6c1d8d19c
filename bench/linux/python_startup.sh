# python_startup: Debian's python3 (dynamically linked against glibc) run
# five times from the shell, as a user's `python3 -c` is: the loader, the
# shared objects mapped and relocated, the interpreter's start-up imports
# from /usr/lib/python3.11, and the end.  ($1, the directory: not used.)
i=0
while [ $i -lt 5 ]; do
	/usr/bin/python3 -c 'import sys; print(sys.version_info[0], len(sys.modules) > 10)'
	i=$((i + 1))
done
