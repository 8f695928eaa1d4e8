#!/usr/bin/python3
"""A minimal CRI (runtime.v1) client for the containerd test: just the calls
the kubelet makes to run a pod with a runtime handler, exec into it and
tear it down. Debian has no crictl; the messages are encoded by hand (field
numbers from k8s.io/cri-api pkg/apis/runtime/v1/api.proto).

  cri.py SOCK runp NAME UID LOGDIR HANDLER            -> prints the pod id
  cri.py SOCK create POD NAME UID LOGDIR IMAGE CNAME LOGPATH ARG...
                                                      -> prints the container id
  cri.py SOCK start|rm CID
  cri.py SOCK stop CID TIMEOUT
  cri.py SOCK exec CID TIMEOUT ARG...                 -> its stdout; exits with its status
  cri.py SOCK stopp|rmp POD
  cri.py SOCK ip POD                                  -> the pod's IP address
  cri.py SOCK pid CID                                 -> the container's init pid

On an error the gRPC status's message goes to stderr (what the kubelet
shows in the pod's events) and the exit status is 1.

Environment, for the cases a policy refuses: CRI_HOST_NETWORK=1 (runp: the
node's network namespace), CRI_PRIVILEGED=1 (runp and create: privileged),
CRI_MOUNT=HOST_PATH:CONTAINER_PATH (create: a bind mount), CRI_SHARE_PID=1
(create: the pod's shared process namespace, shareProcessNamespace).
"""
import os
import sys

import grpc


def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(num, value):
    """A field: int (varint), str/bytes, or a list of encoded parts (message)."""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return varint(num << 3) + varint(value)
    if isinstance(value, str):
        value = value.encode()
    elif isinstance(value, list):
        value = b"".join(value)
    return varint(num << 3 | 2) + varint(len(value)) + value


def decode(buf):
    """{field number: [values]}: varints as ints, length-delimited as bytes."""
    out, i = {}, 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = read_varint(buf, i)
        elif wt == 2:
            n, i = read_varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wt)
        out.setdefault(num, []).append(v)
    return out


def read_varint(buf, i):
    n = shift = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def sandbox_config(name, uid, logdir):
    host_network = os.environ.get("CRI_HOST_NETWORK") == "1"
    metadata = [field(1, name), field(2, uid), field(3, "hardshim-e2e"), field(4, 0)]
    # network POD (CNI) or NODE, pid CONTAINER, ipc POD: as the kubelet asks.
    ns = [field(1, 2 if host_network else 0), field(2, 1), field(3, 0)]
    security = [field(1, ns)]
    if os.environ.get("CRI_PRIVILEGED") == "1":
        security.append(field(6, True))
    linux = [field(2, security)]
    # The kubelet sends no hostname for a pod in the node's network.
    return [field(1, metadata)] + ([] if host_network else [field(2, name)]) + \
        [field(3, logdir), field(8, linux)]


def main(argv):
    sock, cmd, args = argv[1], argv[2], argv[3:]
    channel = grpc.insecure_channel("unix://" + sock)

    def call(method, parts):
        rpc = channel.unary_unary("/runtime.v1.RuntimeService/" + method)
        try:
            return decode(rpc(b"".join(parts), timeout=120))
        except grpc.RpcError as e:
            sys.stderr.write("%s: %s\n" % (method, e.details()))
            sys.exit(1)

    def first_str(resp, num):
        return resp.get(num, [b""])[0].decode()

    if cmd == "runp":
        name, uid, logdir, handler = args
        resp = call("RunPodSandbox", [field(1, sandbox_config(name, uid, logdir)), field(2, handler)])
        print(first_str(resp, 1))
    elif cmd == "create":
        pod, name, uid, logdir, image, cname, logpath = args[:7]
        config = [field(1, [field(1, cname), field(2, 0)]), field(2, [field(1, image)])]
        config += [field(3, a) for a in args[7:]]
        if os.environ.get("CRI_MOUNT"):
            host, ctr = os.environ["CRI_MOUNT"].split(":", 1)
            config.append(field(7, [field(1, ctr), field(2, host), field(3, True)]))
        config.append(field(11, logpath))
        # linux.security_context: namespace_options as the kubelet sends them
        # (network and ipc POD, pid CONTAINER unless the pod shares its
        # process namespace: CRI_SHARE_PID=1), privileged
        pid = 0 if os.environ.get("CRI_SHARE_PID") == "1" else 1
        security = [field(3, [field(1, 0), field(2, pid), field(3, 0)])]
        if os.environ.get("CRI_PRIVILEGED") == "1":
            security.append(field(2, True))
        config.append(field(15, [field(2, security)]))
        resp = call("CreateContainer", [field(1, pod), field(2, config),
                                        field(3, sandbox_config(name, uid, logdir))])
        print(first_str(resp, 1))
    elif cmd in ("start", "rm"):
        call({"start": "StartContainer", "rm": "RemoveContainer"}[cmd], [field(1, args[0])])
    elif cmd == "stop":
        call("StopContainer", [field(1, args[0]), field(2, int(args[1]))])
    elif cmd == "exec":
        cid, timeout = args[0], int(args[1])
        resp = call("ExecSync", [field(1, cid)] + [field(2, a) for a in args[2:]] + [field(3, timeout)])
        sys.stdout.write(resp.get(1, [b""])[0].decode())
        sys.stderr.write(resp.get(2, [b""])[0].decode())
        sys.exit(resp.get(3, [0])[0])
    elif cmd == "ip":
        # PodSandboxStatusResponse.status.network.ip
        status = decode(call("PodSandboxStatus", [field(1, args[0])]).get(1, [b""])[0])
        print(first_str(decode(status.get(5, [b""])[0]), 1))
    elif cmd == "pid":
        # ContainerStatusResponse.info["info"] (verbose) is JSON with the pid
        import json
        resp = call("ContainerStatus", [field(1, args[0]), field(2, True)])
        info = dict((first_str(e, 1), first_str(e, 2)) for e in map(decode, resp.get(2, [])))
        print(json.loads(info.get("info", "{}")).get("pid", ""))
    elif cmd in ("stopp", "rmp"):
        call({"stopp": "StopPodSandbox", "rmp": "RemovePodSandbox"}[cmd], [field(1, args[0])])
    else:
        sys.stderr.write("unknown command %s\n" % cmd)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
