#include <stdio.h>
#include "cli.h"
int cmd_up(int argc, char **argv) { return 1; }
int cmd_down(int argc, char **argv) { return 1; }
int cmd_status(int argc, char **argv) { return 1; }
int cmd_switch(int argc, char **argv) { return 1; }
int cmd_console(int argc, char **argv) { return 1; }
