/**
 * @module test/support/nginx
 * Debian's nginx as a child process in a folder of its own (no system paths touched), for the
 * scale-out test (a load balancer in front of replicas) and bench/single-target.ts (a proxy to
 * compare with).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Starts nginx in `dir` with one worker, no access log, and `http` (the body of the `http { }`
 * block: upstreams and servers). Its temporary files and pid file stay in `dir`.
 */
export function startNginx(program: string, dir: string, http: string): ChildProcess {
  writeFileSync(
    join(dir, 'nginx.conf'),
    `${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${http}
}
`,
  )
  return spawn(program, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: 'ignore' })
}
