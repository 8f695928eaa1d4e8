/* argv grammar: every argv the real engines pass, every spelling of runc's
 * Go-flag grammar and crun's argp grammar, read exactly as the runtime reads
 * it. Dialect rules were checked against runc 1.1.5 and crun 1.8.1. */
#include "testutil.h"

#include "cli.h"
#include "exec_cgroup.h"

#define CID "4f2a5c1e8b9d0a7f6e3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e"
#define PODROOT "/var/lib/containers/storage/overlay-containers/" CID "/userdata"
#define PODRUN "/run/containers/storage/overlay-containers/" CID "/userdata"
#define CTRB "/run/containerd/io.containerd.runtime.v2.task/default/c1"
#define DOCKB "/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby/" CID

enum
{
  F_VERSION = 1,
  F_HELP = 2,
  F_VERB_HELP = 4,
  F_NO_NEW_PRIVS = 8,
};

typedef struct
{
  const char *name;
  hs_dialect_t d;
  const char *argv[28]; /* after argv[0]; NULL-terminated */
  const char *error;    /* non-NULL: parse fails with this in the message */
  hs_verb_t verb;
  const char *verb_name;
  const char *id;
  const char *bundle;
  const char *config;
  const char *log;
  const char *log_format;
  const char *root;
  const char *process;
  const char *pid_file;
  const char *unknown_global;
  const char *cmd; /* argv[command_index], NULL when -1 */
  const char *user;
  const char *apparmor;
  const char *process_label;
  unsigned n_caps;
  unsigned flags;
} cli_case_t;

#define GO HS_DIALECT_GO
#define ARGP HS_DIALECT_ARGP
#define A(...)                                                                                     \
  {                                                                                                \
    __VA_ARGS__, NULL                                                                              \
  }

/* Every line of tests/data/captures/argv-from-real-engines.txt, placeholders
 * filled in. Podman passes the same argv to crun, so each runs in both. */
static const cli_case_t captures[] = {
  { "podman create", GO, A ("create", "--bundle", PODROOT, "--pid-file", PODRUN "/pidfile", CID),
    .verb = HS_VERB_CREATE, .verb_name = "create", .id = CID, .bundle = PODROOT,
    .pid_file = PODRUN "/pidfile" },
  { "podman start", GO, A ("start", CID), .verb = HS_VERB_OTHER, .verb_name = "start" },
  { "podman delete --force", GO, A ("delete", "--force", CID), .verb = HS_VERB_DELETE,
    .verb_name = "delete", .id = CID },
  { "podman json log create", GO,
    A ("--log-format=json", "--log", PODRUN "/oci-log", "create", "--bundle", PODROOT, "--pid-file",
       PODRUN "/pidfile", CID),
    .verb = HS_VERB_CREATE, .verb_name = "create", .id = CID, .bundle = PODROOT,
    .log = PODRUN "/oci-log", .log_format = "json", .pid_file = PODRUN "/pidfile" },
  { "podman run -t", GO,
    A ("--log-format=json", "--log", PODRUN "/oci-log", "create", "--bundle", PODROOT, "--pid-file",
       PODRUN "/pidfile", "--console-socket", "/tmp/conmon-term.MW3NZ3", CID),
    .verb = HS_VERB_CREATE, .verb_name = "create", .id = CID, .bundle = PODROOT,
    .log = PODRUN "/oci-log", .log_format = "json", .pid_file = PODRUN "/pidfile" },
  { "podman exec", GO,
    A ("--log-format=json", "--log", PODROOT "/" CID "/oci-log", "exec", "--pid-file",
       PODROOT "/" CID "/exec_pid", "--process", PODROOT "/" CID "/exec-process-1", "--detach",
       CID),
    .verb = HS_VERB_EXEC, .verb_name = "exec", .id = CID, .log = PODROOT "/" CID "/oci-log",
    .log_format = "json", .process = PODROOT "/" CID "/exec-process-1",
    .pid_file = PODROOT "/" CID "/exec_pid" },
  { "podman pause", GO, A ("pause", CID), .verb = HS_VERB_OTHER, .verb_name = "pause" },
  { "podman resume", GO, A ("resume", CID), .verb = HS_VERB_OTHER, .verb_name = "resume" },
  { "podman kill USR1", GO, A ("kill", CID, "10"), .verb = HS_VERB_OTHER, .verb_name = "kill" },
  { "podman kill TERM", GO, A ("kill", CID, "15"), .verb = HS_VERB_OTHER, .verb_name = "kill" },
  { "podman kill KILL", GO, A ("kill", CID, "9"), .verb = HS_VERB_OTHER, .verb_name = "kill" },
  { "podman --version", GO, A ("--version"), .flags = F_VERSION },
  { "podman crun cgroups=disabled", ARGP,
    A ("--log-format=json", "--log", PODRUN "/oci-log", "--cgroup-manager", "disabled", "create",
       "--bundle", PODROOT, "--pid-file", PODRUN "/pidfile", CID),
    .verb = HS_VERB_CREATE, .verb_name = "create", .id = CID, .bundle = PODROOT,
    .log = PODRUN "/oci-log", .log_format = "json", .pid_file = PODRUN "/pidfile" },
  { "containerd create", GO,
    A ("--root", "/run/containerd/runc/default", "--log", CTRB "/log.json", "--log-format", "json",
       "create", "--bundle", CTRB, "--pid-file", CTRB "/init.pid", "c1"),
    .verb = HS_VERB_CREATE, .verb_name = "create", .id = "c1", .bundle = CTRB,
    .log = CTRB "/log.json", .log_format = "json", .root = "/run/containerd/runc/default",
    .pid_file = CTRB "/init.pid" },
  { "containerd create -t", GO,
    A ("--root", "/tmp/r/default", "--log", CTRB "/log.json", "--log-format", "json", "create",
       "--bundle", CTRB, "--pid-file", CTRB "/init.pid", "--console-socket",
       "/tmp/pty2853581152/pty.sock", "c4"),
    .verb = HS_VERB_CREATE, .verb_name = "create", .id = "c4", .bundle = CTRB,
    .log = CTRB "/log.json", .log_format = "json", .root = "/tmp/r/default",
    .pid_file = CTRB "/init.pid" },
  { "containerd systemd-cgroup", GO,
    A ("--root", "/tmp/r/default", "--log", CTRB "/log.json", "--log-format", "json",
       "--systemd-cgroup", "create", "--bundle", CTRB, "--pid-file", CTRB "/init.pid", "c5"),
    .verb = HS_VERB_CREATE, .verb_name = "create", .id = "c5", .bundle = CTRB,
    .log = CTRB "/log.json", .log_format = "json", .root = "/tmp/r/default",
    .pid_file = CTRB "/init.pid" },
  { "containerd start", GO,
    A ("--root", "/tmp/r/default", "--log", CTRB "/log.json", "--log-format", "json", "start",
       "c2"),
    .verb = HS_VERB_OTHER, .verb_name = "start", .log = CTRB "/log.json", .log_format = "json",
    .root = "/tmp/r/default" },
  { "containerd exec", GO,
    A ("--root", "/tmp/r/default", "--log", CTRB "/log.json", "--log-format", "json", "exec",
       "--process", "/tmp/runc-process1100137127", "--detach", "--pid-file", CTRB "/e1.pid", "c2"),
    .verb = HS_VERB_EXEC, .verb_name = "exec", .id = "c2", .log = CTRB "/log.json",
    .log_format = "json", .root = "/tmp/r/default", .process = "/tmp/runc-process1100137127",
    .pid_file = CTRB "/e1.pid" },
  { "containerd pause", GO,
    A ("--root", "/tmp/r/default", "--log", CTRB "/log.json", "--log-format", "json", "pause",
       "c2"),
    .verb = HS_VERB_OTHER, .verb_name = "pause", .log = CTRB "/log.json", .log_format = "json",
    .root = "/tmp/r/default" },
  { "containerd resume", GO,
    A ("--root", "/tmp/r/default", "--log", CTRB "/log.json", "--log-format", "json", "resume",
       "c2"),
    .verb = HS_VERB_OTHER, .verb_name = "resume", .log = CTRB "/log.json", .log_format = "json",
    .root = "/tmp/r/default" },
  { "containerd ps", GO,
    A ("--root", "/tmp/r/default", "--log", CTRB "/log.json", "--log-format", "json", "ps",
       "--format", "json", "c2"),
    .verb = HS_VERB_OTHER, .verb_name = "ps", .log = CTRB "/log.json", .log_format = "json",
    .root = "/tmp/r/default" },
  { "containerd kill", GO,
    A ("--root", "/tmp/r/default", "--log", CTRB "/log.json", "--log-format", "json", "kill", "c2",
       "15"),
    .verb = HS_VERB_OTHER, .verb_name = "kill", .log = CTRB "/log.json", .log_format = "json",
    .root = "/tmp/r/default" },
  { "containerd kill --all", GO,
    A ("--root", "/tmp/r/default", "--log", CTRB "/log.json", "--log-format", "json", "kill",
       "--all", "c2", "9"),
    .verb = HS_VERB_OTHER, .verb_name = "kill", .log = CTRB "/log.json", .log_format = "json",
    .root = "/tmp/r/default" },
  { "containerd delete", GO,
    A ("--root", "/tmp/r/default", "--log", CTRB "/log.json", "--log-format", "json", "delete",
       "c2"),
    .verb = HS_VERB_DELETE, .verb_name = "delete", .id = "c2", .log = CTRB "/log.json",
    .log_format = "json", .root = "/tmp/r/default" },
  { "containerd delete --force", GO,
    A ("--root", "/tmp/r/default", "--log", CTRB "/log.json", "--log-format", "json", "delete",
       "--force", "c2"),
    .verb = HS_VERB_DELETE, .verb_name = "delete", .id = "c2", .log = CTRB "/log.json",
    .log_format = "json", .root = "/tmp/r/default" },
#define DOCK                                                                                       \
  "--root", "/tmp/x/dexec/runtime-runc/moby", "--log", DOCKB "/log.json", "--log-format", "json"
#define DOCKG                                                                                      \
  .log = DOCKB "/log.json", .log_format = "json", .root = "/tmp/x/dexec/runtime-runc/moby"
  { "docker create", GO,
    A (DOCK, "create", "--bundle", DOCKB, "--pid-file", DOCKB "/init.pid", CID),
    .verb = HS_VERB_CREATE, .verb_name = "create", .id = CID, .bundle = DOCKB,
    .pid_file = DOCKB "/init.pid", DOCKG },
  { "docker create -t", GO,
    A (DOCK, "create", "--bundle", DOCKB, "--pid-file", DOCKB "/init.pid", "--console-socket",
       "/tmp/pty3668667328/pty.sock", CID),
    .verb = HS_VERB_CREATE, .verb_name = "create", .id = CID, .bundle = DOCKB,
    .pid_file = DOCKB "/init.pid", DOCKG },
  { "docker start", GO, A (DOCK, "start", CID), .verb = HS_VERB_OTHER, .verb_name = "start",
    DOCKG },
  { "docker exec", GO,
    A (DOCK, "exec", "--process", "/tmp/runc-process1345799851", "--detach", "--pid-file",
       DOCKB "/e9.pid", CID),
    .verb = HS_VERB_EXEC, .verb_name = "exec", .id = CID, .process = "/tmp/runc-process1345799851",
    .pid_file = DOCKB "/e9.pid", DOCKG },
  { "docker exec -t", GO,
    A (DOCK, "exec", "--process", "/tmp/runc-process549011921", "--console-socket",
       "/tmp/pty2710930331/pty.sock", "--detach", "--pid-file", DOCKB "/e9.pid", CID),
    .verb = HS_VERB_EXEC, .verb_name = "exec", .id = CID, .process = "/tmp/runc-process549011921",
    .pid_file = DOCKB "/e9.pid", DOCKG },
  { "docker pause", GO, A (DOCK, "pause", CID), .verb = HS_VERB_OTHER, .verb_name = "pause",
    DOCKG },
  { "docker resume", GO, A (DOCK, "resume", CID), .verb = HS_VERB_OTHER, .verb_name = "resume",
    DOCKG },
  { "docker ps", GO, A (DOCK, "ps", "--format", "json", CID), .verb = HS_VERB_OTHER,
    .verb_name = "ps", DOCKG },
  { "docker kill 10", GO, A (DOCK, "kill", CID, "10"), .verb = HS_VERB_OTHER, .verb_name = "kill",
    DOCKG },
  { "docker kill 9", GO, A (DOCK, "kill", CID, "9"), .verb = HS_VERB_OTHER, .verb_name = "kill",
    DOCKG },
  { "docker delete", GO, A (DOCK, "delete", CID), .verb = HS_VERB_DELETE, .verb_name = "delete",
    .id = CID, DOCKG },
  { "docker delete --force", GO, A (DOCK, "delete", "--force", CID), .verb = HS_VERB_DELETE,
    .verb_name = "delete", .id = CID, DOCKG },
};

/* Spellings of each grammar. */
static const cli_case_t grammar[] = {
  /* runc: Go flag package through urfave/cli v1 */
  { "go --x v", GO,
    A ("--root", "/r", "--log", "/l", "--log-format", "json", "create", "--bundle", "/b", "id"),
    .verb = HS_VERB_CREATE, .verb_name = "create", .id = "id", .bundle = "/b", .root = "/r",
    .log = "/l", .log_format = "json" },
  { "go --x=v", GO,
    A ("--root=/r", "--log=/l", "--log-format=text", "create", "--bundle=/b", "--pid-file=/p",
       "id"),
    .verb = HS_VERB_CREATE, .verb_name = "create", .id = "id", .bundle = "/b", .root = "/r",
    .log = "/l", .log_format = "text", .pid_file = "/p" },
  { "go -x v", GO,
    A ("-root", "/r", "-log", "/l", "-log-format", "json", "create", "-b", "/b", "-pid-file", "/p",
       "id"),
    .verb = HS_VERB_CREATE, .verb_name = "create", .id = "id", .bundle = "/b", .root = "/r",
    .log = "/l", .log_format = "json", .pid_file = "/p" },
  { "go -x=v", GO, A ("-root=/r", "-log=/l", "create", "-b=/b", "id"), .verb = HS_VERB_CREATE,
    .verb_name = "create", .id = "id", .bundle = "/b", .root = "/r", .log = "/l" },
  { "go -bundle (long name, one dash)", GO, A ("create", "-bundle", "/b", "id"),
    .verb = HS_VERB_CREATE, .verb_name = "create", .id = "id", .bundle = "/b" },
  { "go --b=v (short name, two dashes)", GO, A ("create", "--b=/b", "id"), .verb = HS_VERB_CREATE,
    .verb_name = "create", .id = "id", .bundle = "/b" },
  { "go -b=DIR is DIR", GO, A ("create", "-b=/b", "id"), .verb = HS_VERB_CREATE,
    .verb_name = "create", .id = "id", .bundle = "/b" },
  { "go flags after the id (urfave reorders)", GO,
    A ("create", "id", "--bundle", "/b", "--pid-file=/p"), .verb = HS_VERB_CREATE,
    .verb_name = "create", .id = "id", .bundle = "/b", .pid_file = "/p" },
  { "go run flags after the id", GO, A ("run", "id", "-d", "-b=/b"), .verb = HS_VERB_RUN,
    .verb_name = "run", .id = "id", .bundle = "/b" },
  { "go last --bundle wins", GO, A ("create", "-b", "/1", "id", "-b", "/2"), .verb = HS_VERB_CREATE,
    .verb_name = "create", .id = "id", .bundle = "/2" },
  { "go last --log wins", GO, A ("--log", "/1", "--log=/2", "create", "id"), .verb = HS_VERB_CREATE,
    .verb_name = "create", .id = "id", .log = "/2" },
  { "go value starting with a dash", GO, A ("create", "--bundle", "-x", "id"),
    .verb = HS_VERB_CREATE, .verb_name = "create", .id = "id", .bundle = "-x" },
  { "go --detach=false", GO, A ("run", "--detach=false", "--bundle", "/b", "id"),
    .verb = HS_VERB_RUN, .verb_name = "run", .id = "id", .bundle = "/b" },
  { "go -d=true", GO, A ("run", "-d=true", "id"), .verb = HS_VERB_RUN, .verb_name = "run",
    .id = "id" },
  { "go --detach=maybe", GO, A ("run", "--detach=maybe", "id"), .error = "invalid boolean value" },
  { "go bool globals", GO,
    A ("--debug", "--systemd-cgroup=true", "--rootless", "auto", "--criu", "/c", "create", "id"),
    .verb = HS_VERB_CREATE, .verb_name = "create", .id = "id" },
  { "go no clusters: -dt is one unknown flag", GO, A ("run", "-dt", "id"),
    .error = "unknown option `-dt`" },
  { "go --", GO, A ("create", "--", "-b"), .verb = HS_VERB_CREATE, .verb_name = "create",
    .id = "-b" },
  { "go flags then --", GO, A ("create", "-b", "/b", "--", "id"), .verb = HS_VERB_CREATE,
    .verb_name = "create", .id = "id", .bundle = "/b" },
  { "go -- before the verb", GO, A ("--root", "/r", "--", "create", "id"), .verb = HS_VERB_CREATE,
    .verb_name = "create", .id = "id", .root = "/r" },
  { "go ---b", GO, A ("create", "---b", "/b", "id"), .error = "bad flag syntax" },
  { "go -=x", GO, A ("create", "-=x", "id"), .error = "bad flag syntax" },
  { "go missing value", GO, A ("create", "id", "--bundle"), .error = "flag needs an argument" },
  { "go missing global value", GO, A ("--log"), .error = "flag needs an argument" },
  { "go missing id", GO, A ("create", "-b", "/b"), .error = "missing the container id" },
  { "go two ids", GO, A ("create", "a", "b"), .error = "expected one container id" },
  { "go bool then extra positional", GO, A ("create", "id1", "--no-pivot", "id2"),
    .error = "expected one container id" },
  { "go unknown option in create", GO, A ("--log", "/l", "create", "--foo", "id"),
    .error = "unknown option `--foo`", .log = "/l" },
  { "go unknown option after the id", GO, A ("create", "id", "--foo"),
    .error = "unknown option `--foo`" },
  { "go crun's --config is unknown to runc", GO, A ("create", "--config", "c.json", "id"),
    .error = "unknown option `--config`" },
  { "go unknown option in exec", GO, A ("exec", "--foo", "id", "ls"),
    .error = "unknown option `--foo`" },
  { "go unknown option in run", GO, A ("run", "--bundel", "/b", "id"),
    .error = "unknown option `--bundel`" },
  { "go -V is not runc's", GO, A ("-V"), .unknown_global = "-V" },
  { "go unknown global before create", GO, A ("--foo", "create", "id"), .unknown_global = "--foo" },
  { "go unknown global before state", GO, A ("--foo", "state", "id"), .unknown_global = "--foo" },
  { "go --version", GO, A ("--version"), .flags = F_VERSION },
  { "go -v", GO, A ("-v"), .flags = F_VERSION },
  { "go --version=false", GO, A ("--version=false"), .flags = 0 },
  { "go --version before a verb", GO, A ("--version", "create", "id"), .verb = HS_VERB_CREATE,
    .verb_name = "create", .flags = F_VERSION },
  { "go -h", GO, A ("-h"), .flags = F_HELP },
  { "go --help", GO, A ("--help"), .flags = F_HELP },
  { "go help verb", GO, A ("help"), .verb = HS_VERB_OTHER, .verb_name = "help" },
  { "go help create", GO, A ("help", "create"), .verb = HS_VERB_OTHER, .verb_name = "help" },
  { "go create --help", GO, A ("create", "--help"), .verb = HS_VERB_CREATE, .verb_name = "create",
    .flags = F_VERB_HELP },
  { "go create -h id", GO, A ("create", "-h", "id"), .verb = HS_VERB_CREATE, .verb_name = "create",
    .flags = F_VERB_HELP },
  { "go no arguments", GO, A (NULL), .flags = 0 },
  { "go unknown verb", GO, A ("frobnicate", "--x", "y"), .verb = HS_VERB_OTHER,
    .verb_name = "frobnicate" },
  { "go spec", GO, A ("spec", "--rootless"), .verb = HS_VERB_OTHER, .verb_name = "spec" },
  { "go features", GO, A ("features"), .verb = HS_VERB_OTHER, .verb_name = "features" },
  /* ids and values equal to verb names */
  { "go id create", GO, A ("create", "create"), .verb = HS_VERB_CREATE, .verb_name = "create",
    .id = "create" },
  { "go id run", GO, A ("run", "-b", "/b", "run"), .verb = HS_VERB_RUN, .verb_name = "run",
    .id = "run", .bundle = "/b" },
  { "go id exec for create", GO, A ("create", "exec"), .verb = HS_VERB_CREATE,
    .verb_name = "create", .id = "exec" },
  { "go --root create", GO, A ("--root", "create", "run", "--bundle", "exec", "create"),
    .verb = HS_VERB_RUN, .verb_name = "run", .id = "create", .bundle = "exec", .root = "create" },
  { "go --log run", GO, A ("--log", "run", "--log-format", "create", "state", "create"),
    .verb = HS_VERB_OTHER, .verb_name = "state", .log = "run", .log_format = "create" },
  { "go exec id exec", GO, A ("exec", "exec", "create", "run"), .verb = HS_VERB_EXEC,
    .verb_name = "exec", .id = "exec", .cmd = "create" },
  { "go delete id create", GO, A ("delete", "-f", "create"), .verb = HS_VERB_DELETE,
    .verb_name = "delete", .id = "create" },
  { "go --pid-file run", GO, A ("create", "--pid-file", "run", "create"), .verb = HS_VERB_CREATE,
    .verb_name = "create", .id = "create", .pid_file = "run" },
  /* exec */
  { "go exec --process=", GO, A ("exec", "--process=/p", "id"), .verb = HS_VERB_EXEC,
    .verb_name = "exec", .id = "id", .process = "/p" },
  { "go exec -p", GO, A ("exec", "-p", "/p", "id"), .verb = HS_VERB_EXEC, .verb_name = "exec",
    .id = "id", .process = "/p" },
  { "go exec -p=", GO, A ("exec", "-p=/p", "id"), .verb = HS_VERB_EXEC, .verb_name = "exec",
    .id = "id", .process = "/p" },
  { "go exec stops at the id", GO, A ("exec", "id", "-p", "/p"), .verb = HS_VERB_EXEC,
    .verb_name = "exec", .id = "id", .cmd = "-p" },
  { "go exec inline", GO,
    A ("exec", "-t", "--cap", "CAP_SYS_ADMIN", "-c=CAP_NET_RAW", "--no-new-privs", "--apparmor",
       "unconfined", "--process-label=l", "-u", "0:0", "-e", "A=1", "--cwd", "/", "-g", "10",
       "--ignore-paused", "id", "sh", "-c", "x"),
    .verb = HS_VERB_EXEC, .verb_name = "exec", .id = "id", .cmd = "sh", .n_caps = 2, .user = "0:0",
    .apparmor = "unconfined", .process_label = "l", .flags = F_NO_NEW_PRIVS },
  { "go exec --no-new-privs=false", GO, A ("exec", "--no-new-privs=false", "id", "ls"),
    .verb = HS_VERB_EXEC, .verb_name = "exec", .id = "id", .cmd = "ls" },
  { "go exec without id", GO, A ("exec", "-d"), .error = "missing the container id" },
  { "go exec -- id", GO, A ("exec", "--", "-id", "ls"), .verb = HS_VERB_EXEC, .verb_name = "exec",
    .id = "-id", .cmd = "ls" },
  { "go restore", GO,
    A ("restore", "--image-path", "/img", "-b", "/b", "--lsm-profile", "apparmor:x", "id"),
    .verb = HS_VERB_RESTORE, .verb_name = "restore", .id = "id", .bundle = "/b",
    .apparmor = "apparmor:x" },

  /* crun: argp */
  { "argp --x v", ARGP,
    A ("--root", "/r", "--log", "/l", "--log-format", "json", "create", "--bundle", "/b", "id"),
    .verb = HS_VERB_CREATE, .verb_name = "create", .id = "id", .bundle = "/b", .root = "/r",
    .log = "/l", .log_format = "json" },
  { "argp --x=v", ARGP,
    A ("--root=/r", "--log=/l", "create", "--bundle=/b", "--config=c.json", "id"),
    .verb = HS_VERB_CREATE, .verb_name = "create", .id = "id", .bundle = "/b", .root = "/r",
    .log = "/l", .config = "c.json" },
  { "argp abbreviated --bun", ARGP, A ("create", "--bun", "/b", "id"), .verb = HS_VERB_CREATE,
    .verb_name = "create", .id = "id", .bundle = "/b" },
  { "argp abbreviated --bun=", ARGP, A ("create", "--bun=/b", "--conf", "x.json", "id"),
    .verb = HS_VERB_CREATE, .verb_name = "create", .id = "id", .bundle = "/b", .config = "x.json" },
  { "argp abbreviated globals", ARGP, A ("--roo", "/r", "create", "id"), .error = "ambiguous" },
  { "argp abbreviated --log-f", ARGP, A ("--log-f", "json", "--ro", "/r", "create", "id"),
    .error = "ambiguous" },
  { "argp abbreviated --rootl", ARGP,
    A ("--rootl", "true", "--cgroup-m", "cgroupfs", "--log-format", "json", "create", "id"),
    .verb = HS_VERB_CREATE, .verb_name = "create", .id = "id", .log_format = "json" },
  { "argp ambiguous --c", ARGP, A ("create", "--c", "/x", "id"), .error = "ambiguous" },
  { "argp ambiguous --con", ARGP, A ("create", "--con", "/x", "id"), .error = "ambiguous" },
  { "argp -b DIR", ARGP, A ("create", "-b", "/b", "id"), .verb = HS_VERB_CREATE,
    .verb_name = "create", .id = "id", .bundle = "/b" },
  { "argp -bDIR", ARGP, A ("create", "-b/b", "id"), .verb = HS_VERB_CREATE, .verb_name = "create",
    .id = "id", .bundle = "/b" },
  { "argp -b=DIR is =DIR", ARGP, A ("create", "-b=/b", "id"), .verb = HS_VERB_CREATE,
    .verb_name = "create", .id = "id", .bundle = "=/b" },
  { "argp -f", ARGP, A ("create", "-f", "/abs/c.json", "id"), .verb = HS_VERB_CREATE,
    .verb_name = "create", .id = "id", .config = "/abs/c.json" },
  { "argp -fFILE", ARGP, A ("create", "-fc.json", "id"), .verb = HS_VERB_CREATE,
    .verb_name = "create", .id = "id", .config = "c.json" },
  { "argp --config", ARGP, A ("create", "--config", "sub/c.json", "id"), .verb = HS_VERB_CREATE,
    .verb_name = "create", .id = "id", .config = "sub/c.json" },
  { "argp cluster -db", ARGP, A ("run", "-db", "/b", "id"), .verb = HS_VERB_RUN, .verb_name = "run",
    .id = "id", .bundle = "/b" },
  { "argp cluster -dbDIR", ARGP, A ("run", "-db/b", "id"), .verb = HS_VERB_RUN, .verb_name = "run",
    .id = "id", .bundle = "/b" },
  { "argp cluster -dfFILE", ARGP, A ("run", "-dfx.json", "id"), .verb = HS_VERB_RUN,
    .verb_name = "run", .id = "id", .config = "x.json" },
  { "argp --det", ARGP, A ("run", "--det", "--bun", "/b", "id"), .verb = HS_VERB_RUN,
    .verb_name = "run", .id = "id", .bundle = "/b" },
  { "argp bool with a value", ARGP, A ("create", "--no-pivot=1", "id"),
    .error = "doesn't allow an argument" },
  { "argp unknown option", ARGP, A ("create", "--foo", "id"), .error = "unknown option `--foo`" },
  { "argp unknown short", ARGP, A ("create", "-z", "id"), .error = "unknown option `-z`" },
  { "argp unknown letter in a cluster", ARGP, A ("run", "-dz", "id"),
    .error = "invalid option -- 'z'" },
  { "argp missing value", ARGP, A ("create", "-b"), .error = "requires an argument" },
  { "argp missing long value", ARGP, A ("create", "--bundle"), .error = "requires an argument" },
  /* crun stops at the container id: anything after it is an extra argument
   * and crun fails ("`create` requires a maximum of 1 arguments"). */
  { "argp no options after the id", ARGP, A ("create", "id", "-b", "/b"),
    .error = "expected one container id" },
  { "argp run no options after the id", ARGP, A ("run", "id", "--bundle=/b"),
    .error = "expected one container id" },
  { "argp two ids", ARGP, A ("create", "a", "b"), .error = "expected one container id" },
  { "argp --", ARGP, A ("create", "--", "-b"), .verb = HS_VERB_CREATE, .verb_name = "create",
    .id = "-b" },
  { "argp -v", ARGP, A ("-v"), .flags = F_VERSION },
  { "argp -V", ARGP, A ("-V"), .flags = F_VERSION },
  { "argp --version", ARGP, A ("--version"), .flags = F_VERSION },
  { "argp --vers", ARGP, A ("--vers"), .flags = F_VERSION },
  { "argp -?", ARGP, A ("-?"), .flags = F_HELP },
  { "argp --usage", ARGP, A ("--usage"), .flags = F_HELP },
  { "argp -h is not crun's", ARGP, A ("-h"), .unknown_global = "-h" },
  { "argp create --help", ARGP, A ("create", "--help"), .verb = HS_VERB_CREATE,
    .verb_name = "create", .flags = F_VERB_HELP },
  { "argp create -?", ARGP, A ("create", "-?"), .verb = HS_VERB_CREATE, .verb_name = "create",
    .flags = F_VERB_HELP },
  { "argp id create", ARGP, A ("create", "create"), .verb = HS_VERB_CREATE, .verb_name = "create",
    .id = "create" },
  { "argp --root create", ARGP, A ("--root", "create", "run", "-b", "run", "exec"),
    .verb = HS_VERB_RUN, .verb_name = "run", .id = "exec", .bundle = "run", .root = "create" },
  { "argp --log run", ARGP, A ("--log=run", "create", "-brun", "create"), .verb = HS_VERB_CREATE,
    .verb_name = "create", .id = "create", .bundle = "run", .log = "run" },
  { "argp exec -p", ARGP, A ("exec", "-p", "/p", "id"), .verb = HS_VERB_EXEC, .verb_name = "exec",
    .id = "id", .process = "/p" },
  { "argp exec -pFILE", ARGP, A ("exec", "-p/p", "id"), .verb = HS_VERB_EXEC, .verb_name = "exec",
    .id = "id", .process = "/p" },
  { "argp exec --process=", ARGP, A ("exec", "--process=/p", "id"), .verb = HS_VERB_EXEC,
    .verb_name = "exec", .id = "id", .process = "/p" },
  { "argp exec --proc is ambiguous", ARGP, A ("exec", "--proc=/p", "id"), .error = "ambiguous" },
  { "argp exec -dt", ARGP, A ("exec", "-dt", "id", "sh"), .verb = HS_VERB_EXEC, .verb_name = "exec",
    .id = "id", .cmd = "sh" },
  { "argp exec -td: d is the tty value", ARGP, A ("exec", "-td", "id", "sh"), .verb = HS_VERB_EXEC,
    .verb_name = "exec", .id = "id", .cmd = "sh" },
  { "argp exec --tty takes no separate value", ARGP, A ("exec", "--tty", "id", "sh"),
    .verb = HS_VERB_EXEC, .verb_name = "exec", .id = "id", .cmd = "sh" },
  { "argp exec stops at the id", ARGP, A ("exec", "id", "-p", "/p"), .verb = HS_VERB_EXEC,
    .verb_name = "exec", .id = "id", .cmd = "-p" },
  { "argp exec inline", ARGP,
    A ("exec", "-cCAP_SYS_ADMIN", "--cap=CAP_NET_RAW", "--no-new", "--app", "x", "--process-l", "l",
       "-u0", "id", "ls"),
    .verb = HS_VERB_EXEC, .verb_name = "exec", .id = "id", .cmd = "ls", .n_caps = 2, .user = "0",
    .apparmor = "x", .process_label = "l", .flags = F_NO_NEW_PRIVS },
  { "argp exec -g is runc's", ARGP, A ("exec", "-g", "10", "id", "ls"),
    .error = "unknown option `-g`" },
  { "argp delete -f", ARGP, A ("delete", "-f", "id"), .verb = HS_VERB_DELETE, .verb_name = "delete",
    .id = "id" },
};

static void
check_str (const char *name, const char *what, const char *got, const char *want)
{
  bool same = got == NULL ? want == NULL : want != NULL && strcmp (got, want) == 0;

  ck_assert_msg (same, "%s: %s is `%s`, want `%s`", name, what, got ? got : "(null)",
                 want ? want : "(null)");
}

static void
check_case (const cli_case_t *c)
{
  const char *argv[32];
  int argc = 0;
  hs_invocation_t inv;
  hs_error_t err = NULL;
  int r;

  argv[argc++] = "hardshim";
  for (size_t i = 0; c->argv[i] != NULL; i++)
    argv[argc++] = c->argv[i];
  argv[argc] = NULL;
  r = hs_cli_parse (argc, (char *const *) argv, c->d, &inv, &err);
  if (c->error != NULL)
    {
      ck_assert_msg (r < 0, "%s: parse unexpectedly succeeded", c->name);
      ck_assert_msg (err->kind == HS_ERR_USAGE, "%s: not a usage error", c->name);
      ck_assert_msg (strstr (err->msg, c->error) != NULL, "%s: got `%s`, want `%s`", c->name,
                     err->msg, c->error);
      /* what was read before the error still serves the report */
      if (c->log != NULL)
        ck_assert_pstr_eq (inv.log_path, c->log);
      hs_error_release (&err);
      hs_cli_release (&inv);
      return;
    }
  ck_assert_msg (r == 0, "%s: %s", c->name, err ? err->msg : "?");
#define EQ(field, want) check_str (c->name, #field, (field), (want))
  ck_assert_msg (inv.verb == c->verb, "%s: verb %d, want %d", c->name, inv.verb, c->verb);
  EQ (inv.verb_name, c->verb_name);
  EQ (inv.id, c->id);
  EQ (inv.bundle, c->bundle);
  EQ (inv.config, c->config);
  EQ (inv.log_path, c->log);
  EQ (inv.log_format, c->log_format);
  EQ (inv.root, c->root);
  EQ (hs_cli_value (&inv, inv.process), c->process);
  EQ (inv.pid_file, c->pid_file);
  EQ (inv.unknown_global, c->unknown_global);
  EQ (inv.command_index < 0 ? NULL : argv[inv.command_index], c->cmd);
  EQ (hs_cli_value (&inv, inv.user), c->user);
  EQ (hs_cli_value (&inv, inv.apparmor), c->apparmor);
  EQ (hs_cli_value (&inv, inv.process_label), c->process_label);
#undef EQ
  ck_assert_msg (inv.n_caps == c->n_caps, "%s: %zu caps", c->name, inv.n_caps);
  ck_assert_msg (inv.version == !!(c->flags & F_VERSION), "%s: version", c->name);
  ck_assert_msg (inv.help == !!(c->flags & F_HELP), "%s: help", c->name);
  ck_assert_msg (inv.verb_help == !!(c->flags & F_VERB_HELP), "%s: verb help", c->name);
  ck_assert_msg (inv.no_new_privs == !!(c->flags & F_NO_NEW_PRIVS), "%s: no-new-privs", c->name);
  ck_assert_msg ((inv.verb_index < 0) == (c->verb_name == NULL), "%s: verb index", c->name);
  hs_cli_release (&inv);
}

START_TEST (test_captures)
{
  check_case (&captures[_i]);
}
END_TEST

/* Engines pass crun the argv they pass runc: it must read the same way. */
START_TEST (test_captures_as_crun)
{
  cli_case_t c = captures[_i];

  c.d = ARGP;
  check_case (&c);
}
END_TEST

START_TEST (test_grammar)
{
  check_case (&grammar[_i]);
}
END_TEST

START_TEST (test_exec_caps_refs)
{
  char *argv[] = { "hardshim", "exec", "--cap", "CAP_A", "-c=CAP_B", "-c", "CAP_C", "id", NULL };
  hs_invocation_t inv;
  hs_error_t err = NULL;

  ck_assert_int_eq (hs_cli_parse (8, argv, GO, &inv, &err), 0);
  ck_assert_int_eq (inv.n_caps, 3);
  ck_assert_str_eq (hs_cli_value (&inv, inv.caps[0]), "CAP_A");
  ck_assert_str_eq (hs_cli_value (&inv, inv.caps[1]), "CAP_B");
  ck_assert_str_eq (hs_cli_value (&inv, inv.caps[2]), "CAP_C");
  hs_cli_release (&inv);
  ck_assert_ptr_null (inv.caps);
}
END_TEST

static const struct
{
  hs_dialect_t d;
  const char *argv[8];
  const char *want[8];
} replace_cases[] = {
  { GO,
    { "hardshim", "--log", "/l", "exec", "--process=/old", "id", NULL },
    { "hardshim", "--log", "/l", "exec", "--process=/new", "id", NULL } },
  { GO,
    { "hardshim", "exec", "--process", "/old", "--detach", "id", NULL },
    { "hardshim", "exec", "--process", "/new", "--detach", "id", NULL } },
  { GO,
    { "hardshim", "exec", "-p=/old", "id", NULL },
    { "hardshim", "exec", "-p=/new", "id", NULL } },
  { ARGP,
    { "hardshim", "exec", "-p/old", "id", NULL },
    { "hardshim", "exec", "-p/new", "id", NULL } },
  { ARGP,
    { "hardshim", "exec", "-dp/old", "id", NULL },
    { "hardshim", "exec", "-dp/new", "id", NULL } },
  { ARGP,
    { "hardshim", "exec", "--process", "/old", "id", NULL },
    { "hardshim", "exec", "--process", "/new", "id", NULL } },
};

START_TEST (test_replace_value)
{
  int argc = 0;
  hs_invocation_t inv;
  hs_error_t err = NULL;
  char **out;

  while (replace_cases[_i].argv[argc] != NULL)
    argc++;
  ck_assert_int_eq (
      hs_cli_parse (argc, (char *const *) replace_cases[_i].argv, replace_cases[_i].d, &inv, &err),
      0);
  ck_assert_str_eq (hs_cli_value (&inv, inv.process), "/old");
  out = hs_cli_replace_value (&inv, inv.process, "/new");
  for (int i = 0; i < argc; i++)
    {
      ck_assert_str_eq (out[i], replace_cases[_i].want[i]);
      /* only the replaced argument is a new string */
      if (i != inv.process.index)
        ck_assert_ptr_eq (out[i], replace_cases[_i].argv[i]);
    }
  ck_assert_ptr_null (out[argc]);
  /* the caller's argv is unchanged */
  ck_assert_str_eq (hs_cli_value (&inv, inv.process), "/old");
  free (out[inv.process.index]);
  free (out);
  hs_cli_release (&inv);
}
END_TEST

START_TEST (test_replace_absent)
{
  char *argv[] = { "hardshim", "exec", "id", "ls", NULL };
  hs_invocation_t inv;
  hs_error_t err = NULL;
  char **out;

  ck_assert_int_eq (hs_cli_parse (4, argv, GO, &inv, &err), 0);
  ck_assert_int_eq (inv.process.index, -1);
  out = hs_cli_replace_value (&inv, inv.process, "/new");
  for (int i = 0; i < 4; i++)
    ck_assert_ptr_eq (out[i], argv[i]);
  ck_assert_ptr_null (out[4]);
  free (out);
}
END_TEST

START_TEST (test_too_many_args)
{
  int argc = HS_CLI_MAX_ARGS + 1;
  char **argv = hs_xcalloc ((size_t) argc + 1, sizeof (char *));
  hs_invocation_t inv;
  hs_error_t err = NULL;

  argv[0] = "hardshim";
  argv[1] = "create";
  for (int i = 2; i < argc; i++)
    argv[i] = "--no-pivot";
  ck_assert_int_lt (hs_cli_parse (argc, argv, GO, &inv, &err), 0);
  ck_assert (strstr (err->msg, "too many arguments") != NULL);
  hs_error_release (&err);
  /* exactly the limit parses (runc would reject the flags, we read them) */
  argv[argc - 1] = NULL;
  argv[argc - 2] = "id";
  ck_assert_int_eq (hs_cli_parse (argc - 1, argv, ARGP, &inv, &err), 0);
  ck_assert_str_eq (inv.id, "id");
  free (argv);
}
END_TEST

START_TEST (test_helpers)
{
  char *argv[] = { "hardshim", "--foo", "state", "x", "create", NULL };
  char *argv2[] = { "hardshim", "--foo", "state", "x", NULL };
  hs_invocation_t inv;
  hs_error_t err = NULL;

  ck_assert_int_eq (hs_verb_from_name ("create"), HS_VERB_CREATE);
  ck_assert_int_eq (hs_verb_from_name ("Create"), HS_VERB_OTHER);
  ck_assert (hs_verb_is_intercepted (HS_VERB_RESTORE));
  ck_assert (!hs_verb_is_intercepted (HS_VERB_DELETE));

  ck_assert_int_eq (hs_cli_parse (5, argv, GO, &inv, &err), 0);
  ck_assert_str_eq (inv.unknown_global, "--foo");
  ck_assert (hs_cli_mentions_intercepted_verb (&inv));
  ck_assert_str_eq (hs_cli_runtime_root (&inv), "/run/runc");
  ck_assert_int_eq (hs_cli_parse (4, argv2, ARGP, &inv, &err), 0);
  ck_assert (!hs_cli_mentions_intercepted_verb (&inv));
  ck_assert_str_eq (hs_cli_runtime_root (&inv), "/run/crun");
  {
    char *argv3[] = { "hardshim", "--root", "/r", "state", "x", NULL };
    ck_assert_int_eq (hs_cli_parse (5, argv3, ARGP, &inv, &err), 0);
    ck_assert_str_eq (hs_cli_runtime_root (&inv), "/r");
  }
}
END_TEST

/* exec --cgroup: only a clean path below the container's cgroup */
static const struct
{
  const char *value;
  bool admitted;
} exec_cgroups[] = {
  { "sub", true },
  { "a/b", true },
  { "pids:sub", true },
  { "pids,memory:a/b", true },
  { "name=systemd:sub", true },
  { "devices:../../..", false },
  { "pids:/", false },
  { "/", false },
  { "/abs", false },
  { "..", false },
  { "a/../b", false },
  { "a//b", false },
  { "./a", false },
  { "", false },
  { "pids:", false },
  { ":sub", false },
  { "pids,,memory:sub", false },
  { "PIDS:sub", false },
  { "pids:a:b", false },
};

START_TEST (test_exec_cgroup)
{
  const char *why = hs_exec_cgroup_refusal (exec_cgroups[_i].value);

  ck_assert_msg ((why == NULL) == exec_cgroups[_i].admitted, "--cgroup `%s`: %s",
                 exec_cgroups[_i].value, why ? why : "admitted");
}
END_TEST

START_TEST (test_exec_cgroup_flags)
{
  char *argv[]
      = { "hardshim", "exec", "--cgroup", "pids:sub", "--cgroup=devices:..", "id", "sh", NULL };
  hs_invocation_t inv;
  hs_error_t err = NULL;

  ck_assert_int_eq (hs_cli_parse (7, argv, GO, &inv, &err), 0);
  ck_assert_uint_eq (inv.n_exec_cgroups, 2);
  ck_assert_str_eq (inv.exec_cgroups[1], "devices:..");
  ck_assert_int_lt (hs_exec_cgroup_check (&inv, &err), 0);
  ck_assert_ptr_nonnull (strstr (err->msg, "`devices:..`"));
  hs_error_release (&err);
  hs_cli_release (&inv);
}
END_TEST

static Suite *
cli_suite (void)
{
  Suite *s = suite_create ("cli");
  TCase *tc = tcase_create ("cli");

  tcase_add_loop_test (tc, test_captures, 0, sizeof (captures) / sizeof (captures[0]));
  tcase_add_loop_test (tc, test_captures_as_crun, 0, sizeof (captures) / sizeof (captures[0]));
  tcase_add_loop_test (tc, test_grammar, 0, sizeof (grammar) / sizeof (grammar[0]));
  tcase_add_test (tc, test_exec_caps_refs);
  tcase_add_loop_test (tc, test_replace_value, 0,
                       sizeof (replace_cases) / sizeof (replace_cases[0]));
  tcase_add_test (tc, test_replace_absent);
  tcase_add_test (tc, test_too_many_args);
  tcase_add_test (tc, test_helpers);
  tcase_add_loop_test (tc, test_exec_cgroup, 0, sizeof (exec_cgroups) / sizeof (exec_cgroups[0]));
  tcase_add_test (tc, test_exec_cgroup_flags);
  suite_add_tcase (s, tc);
  return s;
}

TEST_MAIN (cli_suite ())
