#!/bin/sh
# A stand-in for a lab board: QEMU started here, outside pilot's machine layer, reached only through its forwarded SSH port.
#   standin-board.sh start STATE_DIR   power on: boot QEMU in the background (pid in STATE_DIR/qemu.pid)
#   standin-board.sh stop STATE_DIR    power off: kill it and wait until it is gone
#   standin-board.sh console STATE_DIR the serial console: follows STATE_DIR/console.log, as a lab's console server would
#   standin-board.sh args STATE_DIR    its QEMU arguments, one a line (for dumping the machine's device tree)
# STATE_DIR/standin.conf sets KERNEL, INITRD, PORT and PROFILE (kvm-el2 or el1); optionally DEVICES (-device values,
# space-separated: the simulated SoC's DMA masters) and DTB (the board's device tree, as its firmware would hand over).
# BOOTLOADER=u-boot boots Debian's U-Boot instead, which reads kernel, initramfs and command line from DISK (a virtio disk
# whose FAT partition PILOTBOOT Linux can write) with its environment in ENVFLASH; KERNEL and INITRD are then unused.
set -eu

action=${1:?usage: standin-board.sh start|stop|console|args STATE_DIR}
dir=${2:?usage: standin-board.sh start|stop|console|args STATE_DIR}
pidfile=$dir/qemu.pid

# The facts of harness/machine/qemu-command.ts, written out again: this machine must not come from pilot's code.
# No -no-reboot: like a board, a reboot restarts the machine (on the kernel it was powered on with).
# No printk.devkmsg=on: like a stock board kernel; pilot has to lift the rate limit itself.
machine_args() {
  case $PROFILE in
  kvm-el2) machine=virt,virtualization=on,gic-version=2,iommu=smmuv3 ;;
  el1) machine=virt,virtualization=off,gic-version=2 ;;
  *) echo "standin-board: unsupported PROFILE $PROFILE" >&2; exit 2 ;;
  esac
  printf '%s\n' -nodefaults -no-user-config -machine "$machine" -cpu max,pauth-impdef=on -smp 2 -m 1024 \
    -display none -monitor none \
    -netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$PORT-:22" -device virtio-net-pci,netdev=net0,romfile=
  case ${BOOTLOADER:-} in
  # As a board's own firmware would: U-Boot from flash, the boot partition on its storage. The disk must be the first virtio-blk.
  u-boot) printf '%s\n' -bios /usr/lib/u-boot/qemu_arm64/u-boot.bin -drive "if=pflash,unit=1,format=raw,file=$ENVFLASH" \
    -drive "if=none,id=boot0,file=$DISK,format=raw" -device virtio-blk-pci,drive=boot0 ;;
  '') printf '%s\n' -kernel "$KERNEL" -initrd "$INITRD" -append "console=ttyAMA0 panic=-1" ;;
  *) echo "standin-board: unsupported BOOTLOADER $BOOTLOADER" >&2; exit 2 ;;
  esac
  for device in ${DEVICES:-}; do printf '%s\n' -device "$device"; done
}

case $action in
args)
  . "$dir/standin.conf"
  machine_args
  ;;
start)
  . "$dir/standin.conf"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "stand-in board already on (pid $(cat "$pidfile"))"
    exit 0
  fi
  : >"$dir/console.log"
  newline='
'
  args=$(machine_args)
  IFS=$newline
  set -f
  # shellcheck disable=SC2086 # one argument a line, by design
  set -- $args
  unset IFS
  if [ -n "${DTB:-}" ]; then set -- "$@" -dtb "$DTB"; fi
  qemu-system-aarch64 "$@" -serial "file:$dir/console.log" -daemonize -pidfile "$pidfile"
  echo "stand-in board powered on: pid $(cat "$pidfile"), ssh on 127.0.0.1:$PORT"
  ;;
stop)
  [ -f "$pidfile" ] || { echo "stand-in board already off"; exit 0; }
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  tries=0
  while kill -0 "$pid" 2>/dev/null; do
    tries=$((tries + 1))
    [ "$tries" -le 50 ] || { kill -9 "$pid" 2>/dev/null || true; break; }
    sleep 0.1
  done
  rm -f "$pidfile"
  echo "stand-in board powered off (pid $pid)"
  ;;
console)
  touch "$dir/console.log"
  exec tail -n +1 -F "$dir/console.log" 2>/dev/null
  ;;
*)
  echo "usage: standin-board.sh start|stop|console|args STATE_DIR" >&2
  exit 2
  ;;
esac
