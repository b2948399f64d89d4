#!/usr/bin/env bash
# A real single-node Slurm cluster for the tests of the Slurm launcher, as root, from a
# slurm.conf in a temporary folder: `scripts/slurmLocal.sh start` prints the folder (use
# its `env` file: SLURM_CONF), `scripts/slurmLocal.sh stop DIR` cancels its jobs and ends
# every process it started (daemons, job steps). Needs the Debian packages slurm-wlm and
# munge. Exit 3: it cannot run here (not root, packages missing); 4: Slurm did not come up.
#
# Two clusters can run at once (each picks free ports). Jobs may share the node: each asks
# for 1 GB per CPU unless it says otherwise (DefMemPerCPU); the node has four pretend GPUs
# (gres gpu without devices) for jobs that ask for some; and KillWait is 5 s, so that a
# cancelled job that ignores SIGTERM is killed soon. Accounting storage is off: sacct has
# nothing; squeue and scontrol know a job until 10 minutes after it ends (MinJobAge).
set -euo pipefail

# A TCP port nothing listens on, from a random start.
free_port() {
  local port=$(( 20000 + RANDOM % 30000 ))
  for _ in $(seq 1 100); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
    port=$(( port + 1 ))
  done
  echo "no free port found" >&2; return 1
}

start() {
  command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null \
    || { echo "slurm-wlm and munge are not installed (apt-get install slurm-wlm munge)" >&2; exit 3; }
  [ "$(id -u)" = 0 ] || { echo "a local Slurm cluster needs root" >&2; exit 3; }
  local dir; dir=$(mktemp -d /tmp/dpo-run-slurm-XXXXXX)
  mkdir -p "$dir"/{state,spool,log,munge,run}
  # munge: its own key, socket and pid under $dir.
  dd if=/dev/urandom bs=1 count=1024 of="$dir/munge/munge.key" status=none
  chmod 400 "$dir/munge/munge.key"; chmod 700 "$dir/munge"
  munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" --force \
    || { echo "munged did not start; see $dir/munge/munged.log" >&2; stop "$dir"; exit 4; }
  local host cpus mem ctld_port d_port
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
  ctld_port=$(free_port)
  d_port=$(free_port)
  [ "$d_port" != "$ctld_port" ] || d_port=$(( ctld_port + 1 ))
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
DefMemPerCPU=1024
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
MinJobAge=600
KillWait=5
GresTypes=gpu
NodeName=$host CPUs=$cpus RealMemory=$mem Gres=gpu:4 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
  # Four pretend GPUs (no device files), so that jobs asking for --gres=gpu:N are scheduled.
  touch "$dir"/gpu{0,1,2,3}; echo "NodeName=$host Name=gpu File=$dir/gpu[0-3]" > "$dir/gres.conf"
  echo "export SLURM_CONF=$dir/slurm.conf" > "$dir/env"
  SLURM_CONF="$dir/slurm.conf" slurmctld -i || { echo "slurmctld did not start; logs in $dir/log" >&2; stop "$dir"; exit 4; }
  SLURM_CONF="$dir/slurm.conf" slurmd || { echo "slurmd did not start; logs in $dir/log" >&2; stop "$dir"; exit 4; }
  for _ in $(seq 1 50); do
    if SLURM_CONF="$dir/slurm.conf" sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then echo "$dir"; return 0; fi
    sleep 0.2
  done
  echo "slurm did not come up; the end of its logs:" >&2
  tail -n 5 "$dir"/log/*.log >&2 || true
  stop "$dir"; exit 4
}

# The pids of this cluster's job processes and job steps: their environment names its slurm.conf.
job_pids() {
  local conf=$1 pid env
  for environ in /proc/[0-9]*/environ; do
    pid=${environ#/proc/}; pid=${pid%/environ}
    [ "$pid" != $$ ] || continue
    env=$( { tr '\0' '\n' < "$environ"; } 2>/dev/null ) || continue
    grep -qxF "SLURM_CONF=$conf" <<<"$env" || continue
    if grep -q '^slurmstepd' "/proc/$pid/comm" 2>/dev/null || grep -q '^SLURM_JOB_ID=' <<<"$env"; then echo "$pid"; fi
  done
}

alive() { local pid; for pid in "$@"; do kill -0 "$pid" 2>/dev/null && return 0; done; return 1; }

stop() {
  local dir=$1 conf="$1/slurm.conf" pids=() pidfile
  [ -d "$dir" ] || return 0
  # Cancel every job first (they get SIGTERM, then SIGKILL after KillWait) and give them a moment.
  if [ -f "$conf" ] && [ -f "$dir/run/slurmctld.pid" ]; then
    SLURM_CONF="$conf" timeout 5 scancel --full --user=root 2>/dev/null || true
    for _ in $(seq 1 40); do
      [ -z "$(SLURM_CONF="$conf" timeout 5 squeue -h -o %i 2>/dev/null | head -1)" ] && break
      sleep 0.25
    done
  fi
  for pidfile in "$dir/run/slurmd.pid" "$dir/run/slurmctld.pid" "$dir/munge/munged.pid"; do
    [ -f "$pidfile" ] && pids+=("$(cat "$pidfile")")
  done
  mapfile -t -O "${#pids[@]}" pids < <(job_pids "$conf")
  [ "${#pids[@]}" -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 20); do alive "${pids[@]}" || break; sleep 0.25; done
  [ "${#pids[@]}" -gt 0 ] && kill -9 "${pids[@]}" 2>/dev/null || true
  mapfile -t pids < <(job_pids "$conf")
  [ "${#pids[@]}" -gt 0 ] && kill -9 "${pids[@]}" 2>/dev/null || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:?stop needs the folder that start printed}" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
