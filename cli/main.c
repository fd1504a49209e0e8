/* main.c — the replsim command: parses the command line and dispatches to run, check,
 * compare, sweep (and its sweep-run), merge, validate and list. Exit status: 0 success
 * (expectations hold), 1 expectations failed, 2 bad input or usage, 3 internal error (cannot
 * write the report, out of memory). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "reports/report.h"

static void usage(FILE *out) {
    fputs("replsim — simulate and verify multi-source event replication over a SimGrid network\n"
          "\n"
          "usage:\n"
          "  replsim run FILE [--seed N] [--out DIR] [--history-edn] [--trace] [--no-plots]\n"
          "              [--faults-from DIR] [--set PATH=VALUE]... [--cfg KEY:VALUE]...\n"
          "      Run the scenario FILE and write its report into DIR (default out/<FILE name>):\n"
          "      summary.json, summary.md, timeseries.csv, plots/*.png.\n"
          "      --seed N overrides the scenario's seed; same scenario + seed = same report.\n"
          "      --set PATH=VALUE overrides any field, checked like the file (repeatable):\n"
          "      --set workload.rate_per_s=500 --set 'strategy.targets=[\"eu\",\"us\"]'; VALUE\n"
          "      is JSON, else a string; an empty VALUE removes the field.\n"
          "      --history-edn also writes history.edn: the client history as Jepsen op maps\n"
          "      ({:type :invoke|:ok|:fail|:info, :f, :value, :process, :time, :index}).\n"
          "      --trace also writes trace.jsonl: every client op, message (send, deliver,\n"
          "      drop and why), store append and fault, one JSON object per line, in\n"
          "      simulated-time order (schema: docs/trace.md).\n"
          "      --faults-from DIR replays the faults a nemesis drew in the run reported in\n"
          "      DIR (its faults.json), without the nemesis: the same run, byte for byte.\n"
          "      --no-plots writes the plots' .dat and .gp files but does not run gnuplot (no\n"
          "      PNG or SVG; about half the time of a short run). Also for check, compare\n"
          "      and sweep, where it applies to every run's report.\n"
          "      --cfg KEY:VALUE passes a SimGrid setting that changes speed, never results\n"
          "      (repeatable): contexts/factory:raw|ucontext|boost|thread (default raw),\n"
          "      contexts/stack-size:KIB (default 128, at least 64), contexts/guard-size:PAGES\n"
          "      (default 1). Keys that change results (network/, maxmin/...) are refused.\n"
          "  replsim check [FILE|DIR]... [--seeds N | --seed-range A..B] [--junit FILE]\n"
          "                [--out DIR] [--trace] [--no-plots] [--set PATH=VALUE]...\n"
          "                [--cfg KEY:VALUE]...\n"
          "      The CI gate: runs every scenario (DIRs: their *.json) over the seeds, one line\n"
          "      per run, the command that reproduces each failure, a closing 'N passed, M\n"
          "      failed' line, and JUnit XML. Default: scenarios/ci, --seeds 3, out/check.\n"
          "      --set applies to every scenario and appears in the reproduce commands;\n"
          "      --cfg (as for run) to every run.\n"
          "  replsim compare FILE --strategies A,B:PARAM=VALUE,... [--seeds N] [--out DIR]\n"
          "                  [--set PATH=VALUE]... [--no-plots]\n"
          "      Runs FILE under each strategy over seeds 1..N (default 5; same workload and\n"
          "      faults), reports in DIR/<entry>/seed-<n>/ (default out/compare/<FILE name>),\n"
          "      then DIR/comparison.md and .json: per KPI the mean and 95% confidence interval\n"
          "      per strategy, and the paired difference against the first strategy. Exit 0\n"
          "      once every run finished, whatever the verdicts.\n"
          "  replsim sweep FILE --set PATH=V1,V2,... [--set ...] [--seeds N] [-j JOBS]\n"
          "                [--out DIR] [--emit-jobs FILE] [--no-plots]\n"
          "      Runs every combination of the values x seeds 1..N (default 5) in JOBS\n"
          "      parallel processes (default: the cores), then DIR/sweep.csv, sweep.json (per\n"
          "      point every KPI's mean and 95% CI), plots/ and report.html (default\n"
          "      out/sweep/<FILE name>).\n"
          "      --emit-jobs writes one command line per run instead (for GNU parallel).\n"
          "  replsim merge [--out DIR] SWEEP_DIR|RUN_DIR...\n"
          "      Merges finished sweep runs into the same sweep.csv, sweep.json, plots/ and\n"
          "      report.html.\n"
          "      replsim help sweep: both explained, with examples.\n"
          "  replsim validate FILE...\n"
          "      Check scenario files without running them; prints one line per file.\n"
          "  replsim list\n"
          "      Every replication strategy and consistency policy, with its parameters.\n"
          "  replsim help, replsim COMMAND --help\n"
          "\n"
          "exit status: 0 ok (expectations hold), 1 an expectation failed, 2 bad input or usage,\n"
          "             3 internal error (e.g. the report cannot be written)\n"
          "\n"
          "examples:\n"
          "  replsim run scenarios/three-regions-star.json --seed 7 --out out/star-7\n"
          "  replsim compare scenarios/three-regions-star.json \\\n"
          "      --strategies star,batch:batch_size=20\n",
          out);
}

int rs_cli_main(int argc, char **argv) {
    rs_report_handle_interrupts(); /* again after SimGrid starts: it installs its own */
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *command = argv[1];
    if (strcmp(command, "help") == 0 || strcmp(command, "--help") == 0 ||
        strcmp(command, "-h") == 0) {
        if (argc >= 3 && (strcmp(argv[2], "sweep") == 0 || strcmp(argv[2], "merge") == 0 ||
                          strcmp(argv[2], "sweep-run") == 0)) {
            rs_cli_sweep_help(stdout);
            return 0;
        }
        usage(stdout);
        return 0;
    }
    for (int i = 2; i < argc; i++) { /* `replsim run --help` teaches rather than refuses */
        if (strcmp(argv[i], "--help") == 0) {
            bool sweep = strcmp(command, "sweep") == 0 || strcmp(command, "merge") == 0 ||
                         strcmp(command, "sweep-run") == 0;
            if (sweep) {
                rs_cli_sweep_help(stdout);
            } else {
                usage(stdout);
            }
            return 0;
        }
    }
    if (strcmp(command, "run") == 0) {
        return rs_cli_run(argc - 2, argv + 2);
    }
    if (strcmp(command, "validate") == 0) {
        return rs_cli_validate(argc - 2, argv + 2);
    }
    if (strcmp(command, "list") == 0) {
        return rs_cli_list(argc - 2, argv + 2);
    }
    if (strcmp(command, "check") == 0) {
        return rs_cli_check(argc - 2, argv + 2);
    }
    if (strcmp(command, "compare") == 0) {
        return rs_cli_compare(argc - 2, argv + 2);
    }
    if (strcmp(command, "sweep") == 0) {
        return rs_cli_sweep(argc - 2, argv + 2);
    }
    if (strcmp(command, "sweep-run") == 0) {
        return rs_cli_sweep_run(argc - 2, argv + 2);
    }
    if (strcmp(command, "merge") == 0) {
        return rs_cli_merge(argc - 2, argv + 2);
    }
    fprintf(stderr, "replsim: unknown command '%s'; allowed: run, check, compare, sweep, "
                    "merge, validate, list, help\n", command);
    return 2;
}
