/* commands.h — the subcommands of replsim; each takes the arguments after its name and
 * returns the process exit status (see main.c). */
#ifndef RS_CLI_COMMANDS_H
#define RS_CLI_COMMANDS_H

#include <stdbool.h>

int rs_cli_run(int argc, char **argv);
int rs_cli_validate(int argc, char **argv);
int rs_cli_list(int argc, char **argv);
int rs_cli_check(int argc, char **argv);

/* The process entry point (cli/main.c); cli/replsim.c's main() only calls it, so test
 * binaries can register extra components first. */
int rs_cli_main(int argc, char **argv);

struct rs_scenario;
/* Runs a loaded scenario (its seed) and writes the report into out_dir; prints one line.
 * Returns the exit status (0 pass, 1 verdict failed, 3 internal error). Once per process:
 * SimGrid cannot be initialised twice. */
int rs_cli_run_scenario(const struct rs_scenario *scenario, const char *out_dir,
                        bool history_edn);

/* Parses a seed: decimal digits only, at most 2^64-1. Returns 0 or -1. */
int rs_cli_parse_seed(const char *text, unsigned long long *out);

#endif
