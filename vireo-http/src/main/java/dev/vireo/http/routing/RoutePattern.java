package dev.vireo.http.routing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A compiled path pattern: segments separated by '/', each one of
 * <ul>
 *   <li>a literal ({@code api}),</li>
 *   <li>a parameter ({@code {app}}) matching one non-empty segment,</li>
 *   <li>a parameter with a literal suffix ({@code {stream}.flv}) matching a segment that ends with
 *       the suffix and has something before it,</li>
 *   <li>a tail parameter ({@code {file...}}), last only, matching one or more segments.</li>
 * </ul>
 * Patterns are ordered by specificity, segment by segment: literal, then suffix, then parameter,
 * then tail; the most specific matching pattern wins.
 */
final class RoutePattern implements Comparable<RoutePattern> {

    private sealed interface Segment permits Literal, Param, Suffix, Tail {
        int rank();
    }

    private record Literal(String text) implements Segment {
        public int rank() {
            return 0;
        }
    }

    private record Suffix(String name, String suffix) implements Segment {
        public int rank() {
            return 1;
        }
    }

    private record Param(String name) implements Segment {
        public int rank() {
            return 2;
        }
    }

    private record Tail(String name) implements Segment {
        public int rank() {
            return 3;
        }
    }

    private final String source;
    private final Segment[] segments;
    private final boolean tail;

    private RoutePattern(String source, Segment[] segments) {
        this.source = source;
        this.segments = segments;
        this.tail = segments[segments.length - 1] instanceof Tail;
    }

    static RoutePattern compile(String pattern) {
        if (pattern == null || !pattern.startsWith("/")) {
            throw new IllegalArgumentException("route pattern must start with '/': " + pattern);
        }
        String[] parts = pattern.substring(1).split("/", -1);
        List<Segment> out = new ArrayList<>(parts.length);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            Segment s;
            if (p.startsWith("{")) {
                int close = p.indexOf('}');
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed '{' in route pattern " + pattern);
                }
                String name = p.substring(1, close);
                String rest = p.substring(close + 1);
                if (name.endsWith("...")) {
                    name = name.substring(0, name.length() - 3);
                    if (i != parts.length - 1 || !rest.isEmpty()) {
                        throw new IllegalArgumentException("a tail parameter must be the whole last segment: " + pattern);
                    }
                    s = new Tail(name);
                } else if (rest.isEmpty()) {
                    s = new Param(name);
                } else {
                    if (rest.indexOf('{') >= 0 || rest.indexOf('}') >= 0) {
                        throw new IllegalArgumentException("one parameter per segment: " + pattern);
                    }
                    s = new Suffix(name, rest);
                }
                if (name.isEmpty() || !names.add(name)) {
                    throw new IllegalArgumentException("empty or repeated parameter name in " + pattern);
                }
            } else {
                if (p.indexOf('{') >= 0 || p.indexOf('}') >= 0) {
                    throw new IllegalArgumentException("a parameter must start its segment: " + pattern);
                }
                s = new Literal(p);
            }
            out.add(s);
        }
        return new RoutePattern(pattern, out.toArray(Segment[]::new));
    }

    /** Matches decoded path segments; fills {@code params} and returns true on a match. */
    boolean match(String[] path, Map<String, String> params) {
        if (tail ? path.length < segments.length : path.length != segments.length) {
            return false;
        }
        for (int i = 0; i < segments.length; i++) {
            String seg = path[i];
            switch (segments[i]) {
                case Literal l -> {
                    if (!l.text().equals(seg)) {
                        return false;
                    }
                }
                case Param p -> {
                    if (seg.isEmpty()) {
                        return false;
                    }
                    params.put(p.name(), seg);
                }
                case Suffix s -> {
                    if (seg.length() <= s.suffix().length() || !seg.endsWith(s.suffix())) {
                        return false;
                    }
                    params.put(s.name(), seg.substring(0, seg.length() - s.suffix().length()));
                }
                case Tail t -> {
                    String rest = String.join("/", java.util.Arrays.copyOfRange(path, i, path.length));
                    if (rest.isEmpty()) {
                        return false;
                    }
                    params.put(t.name(), rest);
                }
            }
        }
        return true;
    }

    /** Same shape: the two patterns match exactly the same paths. */
    boolean sameShape(RoutePattern o) {
        if (segments.length != o.segments.length) {
            return false;
        }
        for (int i = 0; i < segments.length; i++) {
            Segment a = segments[i];
            Segment b = o.segments[i];
            if (a.rank() != b.rank()) {
                return false;
            }
            if (a instanceof Literal la && !la.text().equals(((Literal) b).text())) {
                return false;
            }
            if (a instanceof Suffix sa && !sa.suffix().equals(((Suffix) b).suffix())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int compareTo(RoutePattern o) {
        int n = Math.min(segments.length, o.segments.length);
        for (int i = 0; i < n; i++) {
            int c = Integer.compare(segments[i].rank(), o.segments[i].rank());
            if (c != 0) {
                return c;
            }
            if (segments[i] instanceof Suffix a && o.segments[i] instanceof Suffix b) {
                // Longer suffixes are more specific (".m3u8" before ".8").
                c = Integer.compare(b.suffix().length(), a.suffix().length());
                if (c != 0) {
                    return c;
                }
            }
        }
        return Integer.compare(o.segments.length, segments.length);
    }

    @Override
    public String toString() {
        return source;
    }
}
