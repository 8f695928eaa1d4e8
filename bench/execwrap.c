/* execwrap: the floor any wrapper can reach. Execs the runtime named by
 * $HARDSHIM_RUNTIME with our argv, doing nothing else. */
#include <stdlib.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  const char *rt = getenv ("HARDSHIM_RUNTIME");

  (void) argc;
  if (rt == NULL)
    return 127;
  argv[0] = (char *) rt;
  execv (rt, argv);
  return 127;
}
