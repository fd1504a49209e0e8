/* commands.h — the subcommands of replsim; each takes the arguments after its name and
 * returns the process exit status (see main.c). */
#ifndef RS_CLI_COMMANDS_H
#define RS_CLI_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

int rs_cli_run(int argc, char **argv);
int rs_cli_validate(int argc, char **argv);
int rs_cli_list(int argc, char **argv);
int rs_cli_check(int argc, char **argv);

/* The process entry point (cli/main.c); cli/replsim.c's main() only calls it, so test
 * binaries can register extra components first. */
int rs_cli_main(int argc, char **argv);

struct rs_scenario;
/* What a run writes besides the report's fixed files. */
typedef struct rs_cli_run_flags {
    bool history_edn;        /* --history-edn: also history.edn */
    bool trace;              /* --trace: trace.jsonl, streamed during the run, committed with
                                the report */
    bool no_plots;           /* --no-plots: plots/ gets the .dat and .gp files only; gnuplot
                                is not run (no PNG, no SVG, none in report.html) */
} rs_cli_run_flags;

/* Runs a loaded scenario (its seed) and writes the report into out_dir; prints one line.
 * `flags` (borrowed; NULL = none) adds optional files or drops the images. Returns the exit
 * status (0 pass, 1 verdict failed, 3 internal error). Once per process: SimGrid cannot be
 * initialised twice. */
int rs_cli_run_scenario(const struct rs_scenario *scenario, const char *out_dir,
                        const rs_cli_run_flags *flags);

/* Refuses (message on stderr, returns 2) a scenario whose estimated memory exceeds the budget:
 * $REPLSIM_MEMORY_BUDGET_MIB, or three quarters of the machine's memory. 0 when it fits. */
int rs_cli_check_memory(const struct rs_scenario *scenario, const char *file);

/* Parses a seed: decimal digits only, at most 2^64-1. Returns 0 or -1. */
int rs_cli_parse_seed(const char *text, unsigned long long *out);

/* Appends one --set value (borrowed from argv) to sets[0..*count), at most RS_OVERRIDES_MAX
 * (model/scenario.h); 0, or 2 with a message naming `command` on stderr. */
int rs_cli_add_set(const char *command, const char *value, const char **sets, size_t *count);

/* Writes " --set <word>" for each override, shell-quoted where needed, so a printed command
 * can be pasted back; and one word, quoted with '...' unless it is plain. */
void rs_cli_print_sets(FILE *out, const char *const *sets, size_t count);
void rs_cli_print_shell_word(FILE *out, const char *word);

/* Runs the scenario (its seed) in a forked child (SimGrid initialises once per process) with
 * stdout and stderr into `log`, the report into `dir` (both created with their parents).
 * Returns the child's exit status (see rs_cli_run_scenario), or -1 when it crashed or could
 * not be started. */
int rs_cli_run_in_child(const struct rs_scenario *scenario, const char *dir, const char *log,
                        const rs_cli_run_flags *flags);

int rs_cli_compare(int argc, char **argv);

/* `replsim sweep` (cli/sweep.c); `replsim sweep-run`, one run of a sweep that leaves a
 * manifest.json next to its report, and `replsim merge` (cli/merge.c). */
int rs_cli_sweep(int argc, char **argv);
int rs_cli_sweep_run(int argc, char **argv);
int rs_cli_merge(int argc, char **argv);
/* Runs job(context, i) for i in 0..count) in forked children, at most `jobs` at once; each
 * child exits with what job returns. statuses[i] gets job i's exit status (-1: crashed or
 * never started). A progress bar named `label` goes to stderr when it is a terminal. Returns
 * 0 when every job ran; the signal number when SIGINT or SIGTERM came (every child was then
 * sent SIGTERM and waited for); -1 when a child could not be started (said on stderr). */
typedef int (*rs_cli_pool_job)(void *context, size_t index);
int rs_cli_pool_run(size_t count, size_t jobs, rs_cli_pool_job job, void *context,
                    int *statuses, const char *label);
/* `replsim help sweep`: sweep, merge and sweep-run explained with examples, into out. */
void rs_cli_sweep_help(FILE *out);
/* Merges the finished sweep runs in dirs[0..count) into out_dir/sweep.csv, sweep.json and
 * plots/ (reports/sweep_report.h); prints one line. Exit status: 0, 2 when the runs do not
 * belong together, 3 when one cannot be read or a file cannot be written. */
int rs_cli_merge_runs(const char *const *dirs, size_t count, const char *out_dir);

#endif
