"""The swiftnet engine under a Mininet object, and its control API.

One ``swiftnet engine`` process per built network. It gets the topology on a pipe,
builds it, and answers with the run's control socket; every node operation is then a
request to that socket (HTTP with JSON, as ``swiftnet exec`` and curl use it). The pipe
stays open for the network's life: when this process ends, however it ends, the engine
sees end of file and tears the network down.
"""

import atexit
import http.client
import json
import os
import shutil
import socket
import subprocess
import threading

from mininet._errors import EngineError

_running = []
_running_lock = threading.Lock()


def swiftnet_binary():
    """``$SWIFTNET_BIN`` (set by ``swiftnet python``), the swiftnet installed beside this
    package, the build tree's, then swiftnet on PATH."""
    given = os.environ.get('SWIFTNET_BIN')
    if given and os.access(given, os.X_OK):
        return given
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    prefix = os.path.dirname(os.path.dirname(os.path.dirname(here)))
    candidates = [os.path.join(prefix, 'bin', 'swiftnet')]
    root = os.path.dirname(here)
    candidates += [os.path.join(root, '.build', c, 'swiftnet') for c in ('release', 'debug')]
    found = shutil.which('swiftnet')
    if found:
        candidates.append(found)
    for c in candidates:
        if os.access(c, os.X_OK):
            return c
    raise EngineError('swiftnet itself was not found (set SWIFTNET_BIN, or run the script with swiftnet python SCRIPT.py)')


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=None):
        http.client.HTTPConnection.__init__(self, 'swiftnet', timeout=timeout)
        self.socket_path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(self.socket_path)
        except OSError:
            s.close()
            raise
        self.sock = s


class API(object):
    """Requests to a run's control socket; one kept-alive connection per thread."""

    def __init__(self, path):
        self.path = path
        self.local = threading.local()

    def _connection(self):
        c = getattr(self.local, 'connection', None)
        if c is None:
            c = self.local.connection = _UnixConnection(self.path)
        return c

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        headers = {'Content-Type': 'application/json'} if data is not None else {}
        for attempt in (0, 1):
            c = self._connection()
            try:
                c.request(method, path, body=data, headers=headers)
                response = c.getresponse()
                raw = response.read()
                break
            except (OSError, http.client.HTTPException) as e:
                c.close()
                self.local.connection = None
                # A kept-alive connection the server closed: once more, on a new one.
                if attempt or not isinstance(e, (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected)):
                    raise EngineError('the network has stopped (%s %s: %s)' % (method, path, e))
        try:
            answer = json.loads(raw.decode() or '{}')
        except ValueError:
            raise EngineError('the engine answered %s %s with something that is not JSON' % (method, path))
        if response.status >= 400:
            raise EngineError(answer.get('error', 'HTTP %d' % response.status))
        return answer

    def stream(self, path, body, holder=None, method='POST'):
        """Yields the NDJSON lines of a streamed answer; closing the generator (or
        shutting down ``holder['connection']``) ends the request, which stops the command."""
        c = _UnixConnection(self.path)
        if holder is not None:
            holder['connection'] = c
        try:
            if body is None:
                c.request(method, path)
            else:
                c.request(method, path, body=json.dumps(body).encode(), headers={'Content-Type': 'application/json'})
            if holder is not None:
                holder['sent'] = True
            response = c.getresponse()
            if response.status >= 400:
                raise EngineError(json.loads(response.read().decode() or '{}').get('error', 'HTTP %d' % response.status))
            while True:
                line = response.readline()
                if not line:
                    return
                line = line.strip()
                if line:
                    yield json.loads(line.decode())
        except (OSError, http.client.HTTPException, ValueError) as e:
            if holder is not None and holder.get('interrupted'):
                return
            raise EngineError('the network has stopped (%s: %s)' % (path, e))
        finally:
            c.close()


class Engine(object):
    """A running ``swiftnet engine``: the network a Mininet object built."""

    def __init__(self, topology, source, options=()):
        toEngine = os.pipe()
        fromEngine = os.pipe()
        argv = [swiftnet_binary(), 'engine', '--control-in', str(toEngine[0]),
                '--control-out', str(fromEngine[1]), '--source', source] + list(options)
        try:
            self.process = subprocess.Popen(argv, pass_fds=(toEngine[0], fromEngine[1]))
        except OSError as e:
            raise EngineError('cannot start %s: %s' % (argv[0], e))
        finally:
            os.close(toEngine[0])
            os.close(fromEngine[1])
        self.writer = os.fdopen(toEngine[1], 'w')
        self.reader = os.fdopen(fromEngine[0], 'r')
        self.stopped = False
        self.lock = threading.Lock()
        self.send({'topology': topology})
        reply = self.receive()
        if reply is None or 'error' in reply:
            self.process.wait()
            self.stopped = True
            self._close()
            if reply is None:
                raise EngineError('the engine ended before the network was built (exit status %s)' % self.process.returncode)
            raise EngineError(reply['error'])
        self.socket = reply['socket']
        self.name = reply['name']
        self.pid = reply['pid']
        self.run = '%s.%s' % (self.name, self.pid)
        self.api = API(self.socket)
        with _running_lock:
            _running.append(self)

    def send(self, message):
        try:
            self.writer.write(json.dumps(message) + '\n')
            self.writer.flush()
        except (OSError, ValueError):
            pass

    def receive(self):
        try:
            line = self.reader.readline()
        except (OSError, ValueError):
            return None
        if not line:
            return None
        return json.loads(line)

    def cli(self, prompt, script, evaluate):
        """Runs the shell on this terminal until it ends; ``evaluate(code, statement)``
        answers its ``py`` and ``px``. Returns the shell's status."""
        self.send({'op': 'cli', 'prompt': prompt, 'script': script})
        while True:
            message = self.receive()
            if message is None or 'stopped' in message:
                self.stopped = True
                return 130
            if 'py' in message:
                out, failed = evaluate(message['py'], message.get('statement', False))
                self.send({'output': out, 'failed': failed})
            elif 'cli' in message:
                return message['cli']

    def stop(self):
        with self.lock:
            if self.stopped:
                return
            self.stopped = True
        self.send({'op': 'stop'})
        while True:
            message = self.receive()
            if message is None or 'stopped' in message:
                break
        try:
            self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._close()
        with _running_lock:
            if self in _running:
                _running.remove(self)

    def _close(self):
        for f in (self.writer, self.reader):
            try:
                f.close()
            except (OSError, ValueError):
                pass


def stop_all():
    with _running_lock:
        engines = list(_running)
    for e in engines:
        e.stop()


atexit.register(stop_all)
