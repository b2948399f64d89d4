#!/usr/bin/env bash
# A real single-node Slurm cluster for the tests of the Slurm launcher, as root, from a
# slurm.conf in a temporary folder: `scripts/slurmLocal.sh start` prints the folder (use
# its `env` file: SLURM_CONF), `scripts/slurmLocal.sh stop DIR` ends every daemon it started.
# Needs the Debian packages slurm-wlm and munge.
set -euo pipefail

start() {
  command -v slurmctld >/dev/null && command -v munged >/dev/null || { echo "slurm-wlm and munge are not installed" >&2; exit 3; }
  [ "$(id -u)" = 0 ] || { echo "a local Slurm cluster needs root" >&2; exit 3; }
  local dir; dir=$(mktemp -d /tmp/dpo-run-slurm-XXXXXX)
  mkdir -p "$dir"/{state,spool,log,munge,run}
  # munge: its own key, socket and pid under $dir.
  dd if=/dev/urandom bs=1 count=1024 of="$dir/munge/munge.key" status=none
  chmod 400 "$dir/munge/munge.key"; chmod 700 "$dir/munge"
  munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" --force
  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
  cat > "$dir/slurm.conf" <<CONF
ClusterName=dporun
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
MinJobAge=600
KillWait=10
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
  echo "export SLURM_CONF=$dir/slurm.conf" > "$dir/env"
  SLURM_CONF="$dir/slurm.conf" slurmctld -i
  SLURM_CONF="$dir/slurm.conf" slurmd
  for _ in $(seq 1 50); do
    if SLURM_CONF="$dir/slurm.conf" sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then echo "$dir"; return 0; fi
    sleep 0.2
  done
  echo "slurm did not come up; logs in $dir/log" >&2
  stop "$dir"; exit 4
}

stop() {
  local dir=$1
  for pidfile in "$dir/run/slurmd.pid" "$dir/run/slurmctld.pid" "$dir/munge/munged.pid"; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  sleep 0.5
  for pidfile in "$dir/run/slurmd.pid" "$dir/run/slurmctld.pid" "$dir/munge/munged.pid"; do
    [ -f "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null || true
  done
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:?stop needs the folder that start printed}" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
