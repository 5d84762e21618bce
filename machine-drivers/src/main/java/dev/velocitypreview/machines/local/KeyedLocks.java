package dev.velocitypreview.machines.local;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/** One lock per key, forgotten once nobody holds or waits for it. */
final class KeyedLocks<K> {

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        int users;
    }

    private final Map<K, Entry> entries = new HashMap<>();

    <T> T call(K key, Supplier<T> body) {
        Entry entry;
        synchronized (entries) {
            entry = entries.computeIfAbsent(key, k -> new Entry());
            entry.users++;
        }
        try {
            entry.lock.lock();
            try {
                return body.get();
            } finally {
                entry.lock.unlock();
            }
        } finally {
            synchronized (entries) {
                if (--entry.users == 0) {
                    entries.remove(key);
                }
            }
        }
    }

    void run(K key, Runnable body) {
        call(key, () -> {
            body.run();
            return null;
        });
    }
}
