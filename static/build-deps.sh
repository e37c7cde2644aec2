#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# static/build-deps.sh - libseccomp and libcap-ng for musl, for `make static'
#
# Usage: static/build-deps.sh DIR
#
# Debian packages both libraries for glibc only, so we build them, with
# musl-gcc, from Debian's own source packages: the same versions, with the
# same Debian patches, as the libseccomp-dev and libcap-ng-dev the normal
# build links against.
#
# The sources come through apt, from the Debian archive the system already
# uses: a private apt state under DIR/apt lists "deb-src" twins of the
# system's Debian (Origin: Debian) "deb" sources, so the system's own apt
# configuration is left alone and no root is needed. `apt-get source'
# checks each file against the signed Sources index; dpkg-source unpacks
# it and applies the Debian patches.
#
# Result, in DIR:
#	include/	seccomp.h, cap-ng.h, and links to the kernel's headers
#			(linux/, asm/, asm-generic/), which musl doesn't ship
#	lib/		libseccomp.a, libcap-ng.a (position-independent)
#	.done		stamp: present once everything above is in place
#
# Nothing is built again while DIR/.done exists: remove DIR to start over.
#
# Needs: musl-tools, dpkg-dev, gperf (libseccomp's build), make, and
# linux-libc-dev for the kernel headers: test/install-deps installs them.
# MUSL_CC overrides the compiler (musl-gcc).

set -eu

dir="${1:?usage: build-deps.sh DIR}"
mkdir -p "${dir}"
dir="$(cd "${dir}" && pwd)"
cc="${MUSL_CC:-musl-gcc}"
jobs="$(nproc 2>/dev/null || echo 2)"

[ -f "${dir}/.done" ] && exit 0

for tool in "${cc}" apt-get dpkg-source gperf make; do
	command -v "${tool}" >/dev/null || {
		echo "build-deps.sh: ${tool} not found (see test/install-deps)" >&2
		exit 1
	}
done

log="${dir}/build.log"
: > "${log}"
step() {
	echo "  DEPS    $*"
}

# Private apt state: deb-src entries for the Debian archive we already use
apt="${dir}/apt"
rm -rf "${apt}"
mkdir -p "${apt}/lists/partial" "${apt}/cache/archives/partial"

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
opts=""
[ -r "${keyring}" ] && opts=" [signed-by=${keyring}]"

apt-get indextargets --format '$(ORIGIN) $(REPO_URI) $(RELEASE) $(COMPONENT)' \
	'Created-By: Packages' |
	awk -v opts="${opts}" '$1 == "Debian" && NF == 4 {
		print "deb-src" opts, $2, $3, $4
	}' | sort -u > "${apt}/sources.list"

if [ ! -s "${apt}/sources.list" ]; then
	echo "build-deps.sh: no Debian archive in the apt sources" >&2
	exit 1
fi

set -- -q \
	-o Dir::Etc::SourceList="${apt}/sources.list" \
	-o Dir::Etc::SourceParts="${apt}/none" \
	-o Dir::State::Lists="${apt}/lists" \
	-o Dir::Cache="${apt}/cache" \
	-o Debug::NoLocking=1 \
	-o APT::Sandbox::User="$(id -un)"

step "apt-get update (source indexes only, private state)"
apt-get "$@" update >> "${log}" 2>&1 || {
	cat "${log}" >&2
	exit 1
}

src="${dir}/src"
rm -rf "${src}"
mkdir -p "${src}"

step "apt-get source libseccomp libcap-ng"
(cd "${src}" && apt-get "$@" source --download-only libseccomp libcap-ng) \
	>> "${log}" 2>&1 || {
	cat "${log}" >&2
	exit 1
}

# unpack NAME: the source package's .dsc, unpacked into src/NAME
unpack() {
	dsc="$(ls "${src}/$1"_*.dsc)"
	step "dpkg-source -x $(basename "${dsc}")"
	(cd "${src}" && dpkg-source --no-check -x "$(basename "${dsc}")" \
		"$1") >> "${log}" 2>&1
}

# Kernel headers: musl has none, the kernel's are libc-independent
inc="${dir}/include"
mkdir -p "${inc}" "${dir}/lib"
arch_inc="/usr/include/$(gcc -print-multiarch 2>/dev/null || echo .)"
for h in linux asm-generic; do
	ln -sfn "/usr/include/${h}" "${inc}/${h}"
done
if [ -d "${arch_inc}/asm" ]; then
	ln -sfn "${arch_inc}/asm" "${inc}/asm"
else
	ln -sfn /usr/include/asm "${inc}/asm"
fi

cflags="-O2 -fPIE -isystem ${inc}"

# build NAME CONFIGURE-OPTIONS...: configure, build and install one library
build() {
	name="$1"
	shift
	step "build ${name} with ${cc}"
	(
		cd "${src}/${name}"
		CC="${cc}" CFLAGS="${cflags}" ./configure --prefix="${dir}" \
			--enable-static --disable-shared --with-pic "$@"
		make -j"${jobs}" -C src
		make -C src install
		if [ -f include/Makefile ]; then
			make -C include install
		fi
	) >> "${log}" 2>&1 || {
		tail -40 "${log}" >&2
		exit 1
	}
}

unpack libseccomp
build libseccomp --disable-python

unpack libcap-ng
build libcap-ng --without-python --without-python3

for f in include/seccomp.h include/cap-ng.h lib/libseccomp.a lib/libcap-ng.a
do
	[ -f "${dir}/${f}" ] || {
		echo "build-deps.sh: ${f} missing after the build" >&2
		exit 1
	}
done

touch "${dir}/.done"
