#!/usr/bin/env bash
# A one-node Slurm cluster on loopback, for trying tools/cluster/slurm_submit.sh
# on one machine and for tools/cluster/slurm_check.sh: munged, slurmctld and
# slurmd (Debian packages munge and slurm-wlm), run as root, everything they
# write (configuration, key, sockets, state, logs) under DIR.
#
#   tools/cluster/slurm_local.sh start DIR [PORT]   # then: export SLURM_CONF=DIR/slurm.conf
#   tools/cluster/slurm_local.sh stop DIR
#
# PORT (default 26817) is slurmctld's; slurmd listens on PORT+1; both on
# 127.0.0.1. The node offers this machine's cores (nproc), one run per core;
# partition `local`. A cancelled task gets SIGTERM, then SIGKILL 5 s later
# (KillWait). On a real cluster none of this is needed: its own slurm.conf
# and munge key are used, see README, "Caching, and spreading the runs over
# machines".
set -uo pipefail

die() { echo "slurm_local: $1" >&2; exit "${2:-1}"; }
[ $# -ge 2 ] && [ $# -le 3 ] || die "usage: slurm_local.sh start|stop DIR [PORT]" 2
cmd=$1
dir=$(realpath -m "$2")
port=${3:-26817}
[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1024 ] && [ "$port" -le 65000 ] || die "PORT: '$port' is not a port number 1024..65000" 2

stop() {
  if [ -f "$dir/slurm.conf" ]; then
    for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munged.pid"; do
      [ -f "$pidfile" ] || continue
      pid=$(cat "$pidfile")
      [[ "$pid" =~ ^[0-9]+$ ]] || continue
      kill -TERM "$pid" 2>/dev/null || continue
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    done
  fi
}

case "$cmd" in
  stop)
    stop
    echo "slurm_local: stopped the cluster of $dir"
    exit 0
    ;;
  start) ;;
  *) die "usage: slurm_local.sh start|stop DIR [PORT]" 2 ;;
esac

[ "$(id -u)" -eq 0 ] || die "start: needs root (the daemons run as root)"
for p in munged slurmctld slurmd sinfo; do
  command -v "$p" > /dev/null || die "start: '$p' not found (tools/bootstrap.sh installs munge and slurm-wlm)"
done
mkdir -p "$dir"/{state,spool,munge} || die "cannot make $dir"
chmod 700 "$dir/munge"
host=$(hostname -s)
cores=$(nproc)

if [ ! -f "$dir/munge/munge.key" ]; then
  head -c 1024 /dev/urandom > "$dir/munge/munge.key" && chmod 400 "$dir/munge/munge.key" || die "cannot write the munge key"
fi
cat > "$dir/slurm.conf" <<EOF
# Written by tools/cluster/slurm_local.sh: one node on loopback.
ClusterName=fgbdl
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
KillWait=5
MinJobAge=300
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cores State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$dir/slurm.conf"

munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/munge.seed" \
  --force || die "munged did not start; see $dir/munged.log"
slurmctld -f "$SLURM_CONF" -i || die "slurmctld did not start; see $dir/slurmctld.log"
slurmd -f "$SLURM_CONF" -N "$host" || { stop; die "slurmd did not start; see $dir/slurmd.log"; }

# Ready once the node is idle.
for _ in $(seq 60); do
  state=$(sinfo -h -n "$host" -o %T 2>/dev/null)
  if [ "$state" == idle ]; then
    echo "slurm_local: one node ($host, $cores cores) on 127.0.0.1:$port; export SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.5
done
stop
die "the node did not become idle in 30 s (state '${state:-none}'); see $dir/slurmctld.log and $dir/slurmd.log"
