#!/usr/bin/env bash
# Assembles the self-contained archive target/NAME-linux-x64.tar.gz (run by Maven at package):
#   NAME/runtime/     a jlink runtime with the JDK modules Vireo needs (no JDK on the machine)
#   NAME/lib/         the server jar and its dependencies (copied by maven-dependency-plugin)
#   NAME/bin/vireo    the launcher, with the JVM options of ./vireo
#   NAME/vireo.yaml.example
# The runtime is rebuilt only when missing or when the module list changes (jlink takes ~10 s).
set -euo pipefail
java_home=$1 target=$2 name=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dist=$target/$name

# Found with: for j in vireo-server.jar lib/*.jar; do jdeps -s --multi-release 25 "$j"; done
# (java.* and jdk.* edges), plus jdk.naming.dns (JNDI DNS lookups of Lettuce/Netty); TLS needs nothing
# more (java.base has the EC/RSA providers since JDK 22).
modules=java.base,java.logging,java.naming,java.sql,java.xml,java.management,java.desktop,java.transaction.xa
modules+=,java.security.jgss,java.net.http,java.scripting,java.instrument,java.compiler
modules+=,jdk.unsupported,jdk.management,jdk.jfr,jdk.net,jdk.naming.dns

jlink=$java_home/bin/jlink
[ -x "$jlink" ] || { echo "assemble: no jlink in $java_home (a JDK, not a JRE, must run Maven)" >&2; exit 1; }
if [ ! -x "$dist/runtime/bin/java" ] || [ "$(cat "$target/runtime.modules" 2>/dev/null)" != "$modules" ]; then
  rm -rf "$dist/runtime"
  "$jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress zip-6 \
    --output "$dist/runtime"
  echo "$modules" > "$target/runtime.modules"
fi

mkdir -p "$dist/bin"
cp "$here/dist/vireo" "$dist/bin/vireo"
chmod 755 "$dist/bin/vireo"
cp "$here/dist/vireo.yaml.example" "$dist/vireo.yaml.example"
cp "$here/dist/README.txt" "$dist/README.txt"

# gzip -1: the jars and the runtime's modules file are compressed already
tar -C "$target" -cf - "$name" | gzip -1 > "$target/$name-linux-x64.tar.gz.tmp"
mv "$target/$name-linux-x64.tar.gz.tmp" "$target/$name-linux-x64.tar.gz"
echo "assemble: $target/$name-linux-x64.tar.gz ($(du -h "$target/$name-linux-x64.tar.gz" | cut -f1))"
