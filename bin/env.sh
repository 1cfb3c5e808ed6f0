# Shared by ./vireo, ./test and .ci/run: finds a JDK (25 or newer: the build targets Java 25) and exports
# JAVA_HOME. Sourced, not run.

vireo_java_major() { # $1 = path to a java binary; prints its major version or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1 | sed 's/^1\.//'
}

vireo_find_jdk() {
  local candidates=() c best="" best_major=0 major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for c in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -d "$c" ] && candidates+=("$c")
  done
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    major=$(vireo_java_major "$c/bin/java")
    [ -n "$major" ] || continue
    # JAVA_HOME wins when it is recent enough; otherwise take the newest installed JDK.
    if [ "$c" = "${JAVA_HOME:-}" ] && [ "$major" -ge 25 ]; then best=$c; best_major=$major; break; fi
    if [ "$major" -gt "$best_major" ]; then best=$c; best_major=$major; fi
  done
  if [ -z "$best" ] || [ "$best_major" -lt 25 ]; then
    echo "vireo: no JDK 25 or newer found (looked at JAVA_HOME and /usr/lib/jvm; found version ${best_major:-none})." >&2
    echo "vireo: install one (e.g. Temurin 25, or apt-get install openjdk-25-jdk-headless) or set JAVA_HOME." >&2
    return 1
  fi
  export JAVA_HOME="$best"
  export VIREO_JDK_MAJOR="$best_major"
  export PATH="$JAVA_HOME/bin:$PATH"
  return 0
}

# JVM options that keep Netty on its fast path. Netty turns its use of sun.misc.Unsafe off by
# default on JDK 25+ (JEP 471/498 warn about Unsafe memory access); without it every access to a
# direct buffer goes through a java.nio duplicate (an allocation per copy on the media path).
# Allowing it explicitly (the option exists since JDK 23) keeps the fast path without warnings:
# 5-8 % less server CPU in the WHEP fan-out bench (docs/BENCHMARKS.md, session 5). The same two
# options are in the root pom (profile jdk23-netty-unsafe, for tests) and the bench's VireoProcess.
vireo_netty_jvm_opts() {
  if [ "${VIREO_JDK_MAJOR:-0}" -ge 23 ]; then
    echo "--sun-misc-unsafe-memory-access=allow -Dio.netty.noUnsafe=false"
  fi
}
