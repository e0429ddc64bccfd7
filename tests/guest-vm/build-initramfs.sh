#!/usr/bin/env bash
# Builds the guest VM's initramfs from what build.ps1 Bootstrap unpacked into CACHE_DIR (kernel/, busybox/):
# static busybox, the virtio NIC driver with its dependencies, ./init and ./udhcpc.script. The image is named by
# the hash of its inputs, so it is built once and rebuilt only when one of them changes.
#   usage: build-initramfs.sh CACHE_DIR      prints kernel=<vmlinuz> and initrd=<image>
# Needs kmod (modprobe), cpio and root (the image's /dev/console node).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:?usage: build-initramfs.sh CACHE_DIR}
kernel=$(ls "$cache"/kernel/boot/vmlinuz-* 2>/dev/null | head -n 1 || true)
busybox=$cache/busybox/bin/busybox
if [[ -z $kernel || ! -x $busybox ]]; then
    echo "no guest kernel or busybox in $cache: run build.ps1 Bootstrap" >&2
    exit 2
fi
kver=${kernel##*/vmlinuz-}

# Load order, dependencies first (virtio_ring, virtio, ... virtio_net); Bootstrap ran depmod for modules.dep.
modules=$(modprobe -d "$cache/kernel" -S "$kver" -a --show-depends virtio_pci virtio_net |
    awk '$1 == "insmod" && !seen[$2]++ { print $2 }')
for m in $modules; do
    [[ $m == *.ko ]] || { echo "compressed module $m: busybox insmod needs a plain .ko" >&2; exit 2; }
done

key=$(cat "$0" "$here/init" "$here/udhcpc.script" "$busybox" $modules | sha256sum | cut -c1-16)
image=$cache/initrd-$key.img
if [[ ! -s $image ]]; then
    stage=$(mktemp -d "$cache/initrd-stage.XXXXXX")
    trap 'rm -rf "$stage"' EXIT
    mkdir -p "$stage"/{bin,dev,etc,proc,sys,tmp,lib/modules}
    cp "$busybox" "$stage/bin/busybox"
    # --list names busybox itself too: that one stays the binary.
    for applet in $("$busybox" --list); do [[ -e $stage/bin/$applet ]] || ln -s busybox "$stage/bin/$applet"; done
    mknod -m 600 "$stage/dev/console" c 5 1
    for m in $modules; do
        cp "$m" "$stage/lib/modules/"
        basename "$m" .ko >> "$stage/etc/modules"
    done
    install -m 755 "$here/init" "$stage/init"
    install -m 755 "$here/udhcpc.script" "$stage/etc/udhcpc.script"
    # Written aside and renamed, so a concurrent or interrupted build never leaves a partial image.
    (cd "$stage" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -6 > "$image.$$"
    mv -f "$image.$$" "$image"
fi
echo "kernel=$kernel"
echo "initrd=$image"
