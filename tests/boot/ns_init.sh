#!/bin/bash
# PID 1 of the private PID, mount, UTS, IPC and network namespaces that
# tests/boot/real_systemd.sh boots systemd in: it gives the namespace its own
# /dev, /run, /tmp, /var and a copy of /etc, lays the installed tree over
# /usr, moves itself into a cgroup of its own and execs systemd. Nothing it
# mounts is seen outside, and nothing systemd writes reaches the host's files.
# $1: the test's work directory (etc/, root/usr/, console); $2: a unique tag.
set -eu
work=$1
tag=$2  # names the cgroup

mount -n --make-rprivate /
# /run first, so that mount(8)'s utab is written in the namespace's /run.
mount -n -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mkdir -m 1777 /run/lock

# A cgroup of our own in every hierarchy, so that systemd's cgroups all hang
# below it and the test can remove them afterwards (cgroups.list).
mapfile -t lines </proc/self/cgroup  # read it whole: it changes as we move
for line in "${lines[@]}"; do
  IFS=: read -r _ controllers path <<<"$line"
  if [[ -z $controllers ]]; then
    dir=/sys/fs/cgroup
    [[ -d /sys/fs/cgroup/unified ]] && dir=/sys/fs/cgroup/unified
  else
    dir=/sys/fs/cgroup/${controllers#name=}
  fi
  [[ -d $dir$path ]] || continue
  sub=$dir${path%/}/jobtrack-boot.$tag
  # Some v1 controllers refuse an unconfigured group (cpuset): stay put there.
  { mkdir -p "$sub" && echo "$sub" >>"$work/cgroups.list" && echo $$ >"$sub/cgroup.procs"; } 2>/dev/null || true
done

# /dev: a few nodes of the host's, a devpts instance of our own; /dev/console
# is a file the test reads.
mkdir -p "$work/dev"
mount -t tmpfs -o mode=0755,nosuid,size=1m tmpfs "$work/dev"
for node in null zero full random urandom tty; do
  touch "$work/dev/$node"
  mount --bind "/dev/$node" "$work/dev/$node"
done
touch "$work/dev/console"
mount --bind "$work/console" "$work/dev/console"
mkdir "$work/dev/pts" "$work/dev/shm" "$work/dev/mqueue"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$work/dev/pts"
ln -s pts/ptmx "$work/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$work/dev/shm"
ln -s /proc/self/fd "$work/dev/fd"
ln -s /proc/self/fd/0 "$work/dev/stdin"
ln -s /proc/self/fd/1 "$work/dev/stdout"
ln -s /proc/self/fd/2 "$work/dev/stderr"
mount --move "$work/dev" /dev

# The copy of /etc, and the installed tree over /usr (read-only overlay).
mount --bind "$work/etc" /etc
mount -t overlay overlay -o "lowerdir=$work/root/usr:/usr" /usr

mount -t tmpfs -o mode=0755 tmpfs /var
mkdir -p /var/lib /var/log /var/cache /var/spool
mkdir -m 1777 /var/tmp
ln -s /run /var/run
ln -s /run/lock /var/lock
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp

# Shared again, but only among this namespace's mounts (the private step
# above cut every tie to the host's): systemd moves mounts made in its
# helpers' namespaces into place (credentials, for one) through propagation.
mount --make-rshared /

exec env -i container=jobtrack-boot PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  /lib/systemd/systemd --system --unit=jobtrack-boot.target \
  --log-target=journal-or-kmsg --log-level=info --show-status=no
