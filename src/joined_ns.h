/* hardshim: namespaces a container joins by path that its new user
 * namespace will not own (a Kubernetes pod's network namespace, made by
 * containerd in the host's user namespace; the sandbox's IPC namespace).
 * Container root has no capability over them, so what needs one is done
 * here, by host root, before the exec: network sysctls written inside the
 * network namespace, an mqueue mount made for the IPC namespace. Each
 * entry is a setns into the namespace and straight back, in this process
 * (no fork: the handover to the runtime stays an exec). */
#ifndef HS_JOINED_NS_H
#define HS_JOINED_NS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "json.h"

/* Open the namespace at `path`, which must be a namespace of type `nstype`
 * (CLONE_NEWNET, CLONE_NEWIPC, ...). */
int hs_joined_ns_open (const char *path, int nstype, int *ret_fd, hs_error_t *err);

/* Is the namespace `fd` owned by hardshim's own user namespace (the host's)? */
int hs_joined_ns_owned_by_host (int fd, bool *ret, hs_error_t *err);

/* Is the namespace `fd` the host's of type `nstype` (PID 1's or hardshim's)? */
int hs_joined_ns_is_hosts (int fd, int nstype, bool *ret, hs_error_t *err);

typedef struct
{
  const char *name;  /* sysctl name, dotted: net.ipv4.ping_group_range */
  const char *value; /* written, then read back and compared */
} hs_sysctl_write_t;

/* Inside the network namespace `netns_fd`: read each of `reads` into
 * `ret_values` (caller frees them; NULL where the sysctl does not exist)
 * when `ret_values` is not NULL, then write each of `writes`. */
int hs_netns_sysctls (int netns_fd, const char *const *reads, char **ret_values,
                      const hs_sysctl_write_t *writes, size_t nwrites, hs_error_t *err);

/* An mqueue filesystem of the IPC namespace `ipc_fd` (nosuid, nodev,
 * noexec), attached at `target` (a directory, created). */
int hs_mqueue_mount (int ipc_fd, const char *target, hs_error_t *err);

/* Does `config` ask for a new user namespace beside a namespace joined by
 * path (which that user namespace cannot own)? *ret_type and *ret_path
 * name the first such namespace (pointers into `config`). */
bool hs_config_joins_beside_new_userns (const hs_json_t *config, const char **ret_type,
                                        const char **ret_path);

#endif
