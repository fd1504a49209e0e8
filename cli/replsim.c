/* replsim.c — the replsim executable's entry point: everything is in rs_cli_main (main.c),
 * so test binaries (tests/planted/) can link the same command with extra components. */
#include "cli/commands.h"

int main(int argc, char **argv) { return rs_cli_main(argc, argv); }
