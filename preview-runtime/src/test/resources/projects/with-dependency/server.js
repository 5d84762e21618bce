// Answers with a value computed by its one npm dependency, so a page proves node_modules is in place.
const http = require('http');
const ms = require('ms');

http.createServer((req, res) => {
  res.setHeader('Content-Type', 'text/plain');
  res.end(`one minute is ${ms('1m')} ms\n`);
}).listen(Number(process.env.PORT), process.env.HOST);
