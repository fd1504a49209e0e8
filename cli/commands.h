/* commands.h — the subcommands of replsim; each takes the arguments after its name and
 * returns the process exit status (see main.c). */
#ifndef RS_CLI_COMMANDS_H
#define RS_CLI_COMMANDS_H

int rs_cli_run(int argc, char **argv);
int rs_cli_validate(int argc, char **argv);
int rs_cli_list(int argc, char **argv);

/* Parses a seed: decimal digits only, at most 2^64-1. Returns 0 or -1. */
int rs_cli_parse_seed(const char *text, unsigned long long *out);

#endif
