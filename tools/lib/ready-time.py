#!/usr/bin/env python3
# ready-time.py NOTIFY_PATH CMD...: starts CMD with NOTIFY_SOCKET=NOTIFY_PATH
# (sd_notify, as systemd would), waits for READY=1 and prints
# "wall_s cpu_s" (from the start to READY=1; CPU is the process's utime +
# stime from /proc at that moment), then stops it with SIGTERM. Exit 1 when
# it exits or is not ready within 300 s. Used by tools/hub-config-bench.sh.
import os, signal, socket, subprocess, sys, time

path, cmd = sys.argv[1], sys.argv[2:]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(0.5)
env = dict(os.environ, NOTIFY_SOCKET=path)
t0 = time.monotonic()
p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=open(path + ".log", "w"))
ready = None
while time.monotonic() - t0 < 300 and p.poll() is None:
    try:
        msg = s.recv(4096).decode(errors="replace")
    except socket.timeout:
        continue
    if "READY=1" in msg.split("\n"):
        ready = time.monotonic() - t0
        break
cpu = None
if ready is not None:
    with open("/proc/%d/stat" % p.pid) as f:
        st = f.read().rsplit(")", 1)[1].split()
    cpu = (int(st[11]) + int(st[12])) / os.sysconf("SC_CLK_TCK")
if p.poll() is None:
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(60)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
if ready is None:
    sys.exit(1)
print("%.3f %.3f" % (ready, cpu))
