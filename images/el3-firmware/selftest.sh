#!/bin/bash
# Standalone test of the EL3 firmware (until pilot's TypeScript drives it): builds el3.bin, boots
# Debian's 6.12 arm64 kernel with its own qcom_scm/qcom_q6v5_pas/mdt_loader/smem/smp2p on
# QEMU virt,secure=on with -smp 2, at EL2 (with the SMMUv3) and at EL1, and checks that ADSP and
# CDSP come up, stop, restart and recover from crashes injected over the host channel.
#
#   images/el3-firmware/selftest.sh [el2] [el1]        (default: both)
#
# Needs gcc-aarch64-linux-gnu, device-tree-compiler, qemu-system-arm, cpio, xz-utils, the arm64
# dpkg architecture (apt-get download), and pilot's generated firmware (adsp.mbn, cdsp0.mbn; found
# under ~/.cache/pilot, or PILOT_FW_DIR=<dir holding them>). Outputs go to $PILOT_CACHE/el3-selftest
# or /tmp/el3-out, never into the repository. One QEMU at a time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${PILOT_CACHE:+$PILOT_CACHE/el3-selftest}
out=${out:-/tmp/el3-out}
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(el2 el1)
mkdir -p "$out"
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
t_start=$(now)

# 1. the firmware
make -s -C "$here" O="$out/fw" >/dev/null
fw=$out/fw/el3.bin
echo "firmware: $fw ($(stat -c %s "$fw") bytes), built in $(since "$t_start") s"

# 2. Debian's kernel and busybox (6.1 lacks HWSPINLOCK, hence SMEM/SMP2P/PAS: 6.12 it is)
cd "$out"
if [ ! -f kernel.deb ]; then
	pkg=$(apt-cache depends linux-image-6.12-arm64:arm64 2>/dev/null |
		sed -n 's/.*Depends: \(linux-image-6\.12\.[^ :]*-arm64\)\(:arm64\)\?$/\1/p' | head -1)
	[ -n "$pkg" ] || { echo "no Debian 6.12 arm64 kernel (dpkg --add-architecture arm64 && apt-get update?)"; exit 1; }
	apt-get download "$pkg:arm64" >/dev/null 2>&1 && mv "${pkg}"_*.deb kernel.deb
fi
[ -f busybox.deb ] || { apt-get download busybox-static:arm64 >/dev/null 2>&1 && mv busybox-static_*.deb busybox.deb; }
[ -d kernel ] || dpkg-deb -x kernel.deb kernel
[ -d busybox ] || dpkg-deb -x busybox.deb busybox
rel=$(ls kernel/lib/modules)
image=$out/kernel/boot/vmlinuz-$rel

# 3. pilot's generated firmware images
fwdir=${PILOT_FW_DIR:-}
if [ -z "$fwdir" ]; then
	found=$(find "$HOME/.cache/pilot" -path '*/qcom/sa8775p/adsp.mbn' 2>/dev/null | head -1 || true)
	fwdir=${found%/adsp.mbn}
fi
[ -n "$fwdir" ] && [ -f "$fwdir/adsp.mbn" ] && [ -f "$fwdir/cdsp0.mbn" ] ||
	{ echo "no generated adsp.mbn/cdsp0.mbn: build pilot's images or set PILOT_FW_DIR"; exit 1; }

# 4. the initramfs: busybox, the modules, the firmware, selftest-init as /init
root=$out/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules,lib/firmware/qcom/pilot}
cp busybox/bin/busybox "$root/bin/"
cp "$here/selftest-init" "$root/init"
chmod +x "$root/init"
cp "$here/selftest-modules" "$root/modules"
cp "$fwdir/adsp.mbn" "$root/lib/firmware/qcom/pilot/adsp.mbn"
cp "$fwdir/cdsp0.mbn" "$root/lib/firmware/qcom/pilot/cdsp.mbn"
while read -r m; do
	f=$(find "kernel/lib/modules/$rel" -name "$m.ko.xz" | head -1)
	[ -n "$f" ] || { echo "module $m not in $rel"; exit 1; }
	xz -dc "$f" >"$root/lib/modules/$m.ko"
done <"$here/selftest-modules"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >initramfs.cpio.gz
initrd_end=$(printf '0x%x' $((0x4c100000 + $(stat -c %s initramfs.cpio.gz))))
echo "kernel $rel, initramfs $(stat -c %s initramfs.cpio.gz) bytes, firmware from $fwdir; ready at $(since "$t_start") s"

qemu_common=(-nodefaults -no-user-config -cpu max,pauth-impdef=on -smp 2 -m 1024 -display none -monitor none
	-device edu,addr=0x10,dma_mask=0xffffffff -device edu,addr=0x11,dma_mask=0xffffffff -bios "$fw")
failures=0
check() { # check DESCRIPTION COMMAND...
	if "${@:2}" >/dev/null 2>&1; then echo "  ok    $1"; else echo "  FAIL  $1"; failures=$((failures + 1)); fi
}
count_at_least() { [ "$(grep -c -- "$2" "$3" || true)" -ge "$1" ]; }
# the SMC sequence for one PAS id, in order: init_image ok, mem_setup ok, auth_and_reset ok
pas_sequence() {
	awk -v p="pas=$1 " 'index($0, "smc pas init_image " p) && / ok / { s = 1 }
		s == 1 && index($0, "smc pas mem_setup " p) && / ok/ { s = 2 }
		s == 2 && index($0, "smc pas auth_and_reset " p) && / ok / { s = 3 }
		END { exit s == 3 ? 0 : 1 }' "$2"
}

boot() { # boot el2|el1
	local mode=$1 d=$out/$1 machine bootargs
	case $mode in
	el2) machine=virt,secure=on,virtualization=on,gic-version=2,iommu=smmuv3
		bootargs="console=ttyAMA0 earlycon=pl011,0x9000000 rdinit=/init loglevel=7 iommu.passthrough=1" ;;
	el1) machine=virt,secure=on,virtualization=off,gic-version=2
		bootargs="console=ttyAMA0 earlycon=pl011,0x9000000 rdinit=/init loglevel=7" ;;
	*) echo "unknown mode $mode"; exit 1 ;;
	esac
	rm -rf "$d"
	mkdir -p "$d"
	# the board DT: QEMU's own for exactly this machine line, plus our nodes
	qemu-system-aarch64 "${qemu_common[@]}" -M "$machine,dumpdtb=$d/qemu.dtb" >/dev/null 2>&1
	dtc -q -I dtb -O dts -o "$d/qemu.dts" "$d/qemu.dtb"
	{
		sed 's/^\(\t*\)device_type = "cpu";/&\n\1enable-method = "psci";/' "$d/qemu.dts"
		cat "$here/board-qcom.dtsi"
		[ $mode = el2 ] && cat "$here/board-smmu.dtsi"
		printf '/ {\n\tchosen {\n\t\tbootargs = "%s";\n\t\tlinux,initrd-start = <0 0x4c100000>;\n\t\tlinux,initrd-end = <0 %s>;\n\t};\n};\n' \
			"$bootargs" "$initrd_end"
	} >"$d/board.dts"
	dtc -q -I dts -O dtb -o "$d/board.dtb" "$d/board.dts"

	# the host channel: QEMU's second -serial is the secure UART, through two FIFOs
	mkfifo "$d/tz.in" "$d/tz.out"
	cat "$d/tz.out" >"$d/tz.log" &
	local cat_pid=$!
	exec 7<>"$d/tz.in"
	: >"$d/console.log"
	local t0 t_up="" sent=0 qpid rc=0
	t0=$(now)
	timeout "${SELFTEST_TIMEOUT:-300}" qemu-system-aarch64 "${qemu_common[@]}" -M "$machine" \
		-semihosting-config enable=on,target=native \
		-device loader,file="$image",addr=0x40200000,force-raw=on \
		-device loader,file="$d/board.dtb",addr=0x4c000000,force-raw=on \
		-device loader,file="$out/initramfs.cpio.gz",addr=0x4c100000,force-raw=on \
		-serial file:"$d/console.log" -serial pipe:"$d/tz" &
	qpid=$!
	echo "ping" >&7
	while kill -0 $qpid 2>/dev/null; do
		# "=== PILOT inject <command> t=…" lines become host-channel commands, once each
		mapfile -t asks < <(grep -a '^=== PILOT inject ' "$d/console.log" | sed 's/^=== PILOT inject \(.*\) t=.*/\1/')
		while [ $sent -lt ${#asks[@]} ]; do
			echo "${asks[$sent]}" >&7
			sent=$((sent + 1))
		done
		if [ -z "$t_up" ] && grep -aq '^=== PILOT up cdsp' "$d/console.log"; then t_up=$(since "$t0"); fi
		sleep 0.2
	done
	wait $qpid || rc=$?
	exec 7>&-
	sleep 0.3
	kill $cat_pid 2>/dev/null || true
	wait $cat_pid 2>/dev/null || true
	local total
	total=$(since "$t0")

	local c=$d/console.log z=$d/tz.log
	echo "== $mode: machine $machine, QEMU exit $rc, both remotes up after ${t_up:-?} s, whole run $total s"
	echo "   kernel: $(grep -a -m1 -E 'CPU: All CPU\(s\) started at EL[12]' "$c" | sed 's/^\[[^]]*\] //')," \
		"$(grep -a -m1 'SMP: Total of' "$c" | sed 's/^\[[^]]*\] //')"
	grep -a -m1 'remote processor adsp is now up' "$c" | sed 's/^/   first: /'
	grep -a -m1 'remote processor cdsp is now up' "$c" | sed 's/^/   first: /'
	check "linux at EL${mode#el} on 2 CPUs (PSCI CPU_ON)" grep -aq "CPU: All CPU(s) started at EL${mode#el}" "$c"
	check "SMP: 2 processors" grep -aq 'SMP: Total of 2 processors activated' "$c"
	check "qcom_scm: convention: smc arm 64" grep -aq 'qcom_scm: convention: smc arm 64' "$c"
	check "adsp is now up (boot, restart, recovery: 3x)" count_at_least 3 'remote processor adsp is now up' "$c"
	check "cdsp is now up (boot, restart, recovery: 3x)" count_at_least 3 'remote processor cdsp is now up' "$c"
	check "stopped remote processor adsp" grep -aq 'stopped remote processor adsp' "$c"
	check "stopped remote processor cdsp" grep -aq 'stopped remote processor cdsp' "$c"
	check "adsp: fatal error received (host channel)" grep -aq 'fatal error received: pilot-el3: injected fatal error' "$c"
	check "cdsp: watchdog received (host channel)" grep -aq 'watchdog received: pilot-el3: injected watchdog bite' "$c"
	check "crash detected in adsp / cdsp" count_at_least 2 'crash detected in' "$c"
	check "guest saw both recoveries" count_at_least 2 '^=== PILOT recovered' "$c"
	check "tz: init_image -> mem_setup -> auth_and_reset, pas=1" pas_sequence 1 "$z"
	check "tz: init_image -> mem_setup -> auth_and_reset, pas=18" pas_sequence 18 "$z"
	check "tz: host channel answered every command" count_at_least 3 'tz: host ok' "$z"
	check "tz: stop-ack sent for both" count_at_least 2 'stop requested: smp2p stop-ack' "$z"
	check "tz: boot DMA through both edus" count_at_least 2 'dma boot block ok' "$z"
	check "tz: firmware booted once (no reset)" test "$(grep -ac 'tz: boot pilot-el3' "$z")" = 1
	check "tz: no panic" bash -c "! grep -aq 'tz: panic' '$z'"
	check "powered off through PSCI SYSTEM_OFF (QEMU exit 0)" test "$rc" = 0
}

for m in "${modes[@]}"; do boot "$m"; done
echo "selftest: $failures failure(s), $(since "$t_start") s in all; logs under $out/<mode>/{console,tz}.log"
[ $failures -eq 0 ]
