package dev.chorus.bench;

import java.net.URI;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A benchmark's {@code --name=value} options over its defaults; a bare {@code --name} means 1. */
final class BenchOptions {

    private final Map<String, String> values;

    BenchOptions(Map<String, String> defaults, String[] args) {
        values = new HashMap<>(defaults);
        for (String arg : args) {
            String[] pair = arg.replaceFirst("^--", "").split("=", 2);
            values.put(pair[0], pair.length > 1 ? pair[1] : "1");
        }
    }

    /** The value, or null if neither given nor defaulted. */
    String text(String name) {
        return values.get(name);
    }

    int number(String name) {
        return Integer.parseInt(values.get(name));
    }

    /** The option's comma-separated URIs, each refused unless it names this machine. */
    List<URI> loopbacks(String name) {
        return Arrays.stream(values.get(name).split(",")).map(String::strip).map(BenchOptions::onLoopback).toList();
    }

    /** The option as a URI, refused unless it names this machine: load goes to loopback only. */
    URI loopback(String name) {
        return onLoopback(values.get(name));
    }

    private static URI onLoopback(String value) {
        URI uri = URI.create(value);
        String host = uri.getHost();
        if (!host.startsWith("127.") && !host.equals("localhost") && !host.equals("[::1]")) {
            throw new IllegalArgumentException("loopback only: " + uri);
        }
        return uri;
    }
}
