/* The tiny static program of fork_exec_wait and of the macro workloads'
 * short processes (/bench/exit0): exits with status 0. */
int main(void)
{
	return 0;
}
