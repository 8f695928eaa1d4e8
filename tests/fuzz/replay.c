/* Runs a fuzz target over every file in the directories given on the
 * command line (seeds and past findings), so `make check` replays them
 * with the ordinary compiler, and under sanitizers when configured so. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
replay_file (const char *path)
{
  FILE *f = fopen (path, "rb");
  uint8_t *buf;
  long n;

  if (f == NULL)
    return -1;
  fseek (f, 0, SEEK_END);
  n = ftell (f);
  rewind (f);
  buf = malloc ((size_t) n + 1);
  if (buf == NULL || fread (buf, 1, (size_t) n, f) != (size_t) n)
    {
      fclose (f);
      free (buf);
      return -1;
    }
  fclose (f);
  LLVMFuzzerTestOneInput (buf, (size_t) n);
  free (buf);
  return 0;
}

int
main (int argc, char **argv)
{
  int files = 0, failed = 0;

  for (int i = 1; i < argc; i++)
    {
      DIR *d = opendir (argv[i]);
      struct dirent *de;

      if (d == NULL)
        {
          fprintf (stderr, "replay: cannot open %s\n", argv[i]);
          failed++;
          continue;
        }
      while ((de = readdir (d)) != NULL)
        {
          char path[4096];

          if (de->d_name[0] == '.')
            continue;
          snprintf (path, sizeof (path), "%s/%s", argv[i], de->d_name);
          if (replay_file (path) < 0)
            failed++;
          files++;
        }
      closedir (d);
    }
  printf ("%d passed, %d failed\n", files - failed, failed);
  return failed == 0 && files > 0 ? 0 : 1;
}
