// A dev server in a few lines: listens on $HOST:$PORT as the runtime asks, and answers nothing
// until the file "open" exists in its directory (so a test decides when its first page is done).
const http = require('http');
const fs = require('fs');

function whenOpen(callback) {
  if (fs.existsSync('open')) {
    callback();
  } else {
    setTimeout(() => whenOpen(callback), 20);
  }
}

const server = http.createServer((req, res) => {
  if (req.url === '/exit') {
    res.end('bye\n', () => process.exit(3));
    return;
  }
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => whenOpen(() => {
    res.setHeader('Content-Type', 'text/plain');
    res.end(`${req.method} ${req.url} host=${req.headers.host} body=${body}\n`);
  }));
});
server.listen(Number(process.env.PORT), process.env.HOST, () => {
  console.log(`listening on ${process.env.HOST}:${process.env.PORT}`);
});
