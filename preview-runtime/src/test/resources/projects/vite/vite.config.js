import { defineConfig } from 'vite';

// As the runtime's contract asks: $HOST:$PORT, fail when the port is taken, any Host header.
export default defineConfig({
  server: {
    host: process.env.HOST,
    port: Number(process.env.PORT),
    strictPort: true,
    allowedHosts: true,
  },
});
