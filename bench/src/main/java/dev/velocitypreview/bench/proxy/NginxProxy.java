package dev.velocitypreview.bench.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.velocitypreview.bench.rig.Pause;
import dev.velocitypreview.core.net.LoopbackPorts;

/**
 * Debian's nginx as a reverse proxy in front of one machine, configured the way one would for this job: upstream
 * keep-alive connections, buffers large enough for a 100 KiB answer, no access log. Runs in the foreground as a
 * child process with its own prefix directory, and stops with it.
 */
final class NginxProxy implements AutoCloseable {

    private final Process process;
    private final int port;

    private NginxProxy(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static NginxProxy start(Path executable, Path dir, URI backend) throws IOException {
        int port = LoopbackPorts.free();
        Files.createDirectories(dir);
        Path config = dir.resolve("nginx.conf");
        Files.writeString(config, """
                worker_processes 2;
                daemon off;
                pid %1$s/nginx.pid;
                events { worker_connections 1024; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/client-body;
                  proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi;
                  scgi_temp_path %1$s/scgi;
                  upstream machine {
                    server %2$s:%3$d;
                    keepalive 64;
                  }
                  server {
                    listen 127.0.0.1:%4$d;
                    location / {
                      proxy_pass http://machine;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                      proxy_set_header Host $host;
                      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                      proxy_buffer_size 16k;
                      proxy_buffers 16 16k;
                      proxy_max_temp_file_size 0;
                    }
                  }
                }
                """.formatted(dir, backend.getHost(), backend.getPort(), port));
        Process process = new ProcessBuilder(List.of(executable.toString(), "-p", dir.toString(), "-c", config.toString(),
                "-e", dir.resolve("error.log").toString()))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("console.log").toFile())
                .start();
        NginxProxy nginx = new NginxProxy(process, port);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!nginx.answers()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                nginx.close();
                throw new IOException("nginx did not start: " + Files.readString(dir.resolve("console.log"))
                        + (Files.exists(dir.resolve("error.log")) ? Files.readString(dir.resolve("error.log")) : ""));
            }
            Pause.of(Duration.ofMillis(50));
        }
        return nginx;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    private boolean answers() {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
