// Small Python programs that run INSIDE the sandbox next to the submitted code: the Python launcher
// (compiles first, so a syntax error is a compilation error reported on fd 3, a channel closed
// before user code runs), the SQL runner (in-memory SQLite behind an authorizer), and the two
// analyzers /validate uses (Python's own `ast`, SQLite's own parser via EXPLAIN).

/**
 * Python: compile the entry (argv[1]), report a SyntaxError on fd 3, else close fd 3 and run it with
 * `inputs` bound, its own folder first on the import path (the program's other files are there).
 */
export const PYTHON_LAUNCHER = String.raw`
import sys, os, json
def _main():
    entry = sys.argv[1]
    with open(entry, encoding='utf-8') as f:
        src = f.read()
    try:
        code = compile(src, entry, 'exec')
    except (SyntaxError, ValueError) as e:
        import traceback
        os.write(3, ''.join(traceback.format_exception_only(type(e), e)).encode())
        os._exit(1)
    os.close(3)
    with open('/code/inputs.json', encoding='utf-8') as f:
        inputs = json.load(f)
    sys.argv = [os.path.basename(entry)] + sys.argv[2:]
    sys.path[0:0] = ['/code', '/work']
    g = {'__name__': '__main__', '__file__': entry, '__builtins__': __builtins__, 'inputs': inputs}
    try:
        exec(code, g)
    except SystemExit:
        raise
    except BaseException as e:
        import traceback
        traceback.print_exception(type(e), e, e.__traceback__.tb_next)
        raise SystemExit(1)
_main()
`;

/** Shared by the SQL runner and analyzer: statement splitting and the authorizer policy. */
const SQL_COMMON = String.raw`
import sqlite3, json, sys, base64
READ_ONLY_PRAGMAS = {'table_info', 'table_xinfo', 'index_list', 'index_info', 'index_xinfo', 'foreign_key_list'}
FORBIDDEN_FUNCTIONS = {'load_extension'}
findings = []
def policy(action, a1, a2, db, trigger):
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        findings.append(('ATTACH' if action == sqlite3.SQLITE_ATTACH else 'DETACH', 'attaching databases (files on disk) is refused'))
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and a2 is not None and (a1 or '').lower() not in READ_ONLY_PRAGMAS:
        findings.append(('PRAGMA ' + str(a1), 'changing PRAGMA settings is refused'))
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and (a2 or '').lower() in FORBIDDEN_FUNCTIONS:
        findings.append((a2, 'loading extensions is refused'))
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK
def split(script):
    out, buf = [], ''
    for ch in script:
        buf += ch
        if ch == ';' and sqlite3.complete_statement(buf):
            if buf.strip(' \t\r\n;'): out.append(buf.strip())
            buf = ''
    if buf.strip():
        out.append(buf.strip())
    return out
def read(name):
    with open('/code/' + name, encoding='utf-8') as f:
        return f.read()
def open_db():
    db = sqlite3.connect(':memory:', isolation_level=None)
    db.set_authorizer(policy)
    return db
def is_syntax(err):
    m = str(err)
    return 'syntax error' in m or 'incomplete input' in m or 'unrecognized token' in m
`;

/** SQL: setup statements, then the code; result sets as columns + rows on stdout (JSON). */
export const SQL_RUNNER =
  SQL_COMMON +
  String.raw`
def cell(v):
    return {'base64': base64.b64encode(v).decode()} if isinstance(v, bytes) else v
def run():
    db = open_db()
    params = json.loads(read('inputs.json'))
    params = params if isinstance(params, dict) else {}
    for phase in ('setup', 'main'):
        for i, stmt in enumerate(split(read(phase + '.sql'))):
            try:
                cur = db.execute(stmt, params)
                if phase == 'main':
                    cols = [d[0] for d in cur.description] if cur.description else None
                    rows = [[cell(v) for v in r] for r in cur.fetchall()] if cols is not None else None
                    yield {'statement': i + 1, 'sql': stmt[:200], 'columns': cols, 'rows': rows, 'rows_affected': None if cols is not None else cur.rowcount}
            except sqlite3.Error as e:
                kind = 'syntax' if is_syntax(e) else ('denied' if 'not authorized' in str(e) else 'runtime')
                raise SystemExit(json.dumps({'ok': False, 'phase': phase, 'statement': i + 1, 'kind': kind, 'error': str(e), 'findings': findings}))
results = list(run())
sys.stdout.write(json.dumps({'ok': True, 'results': results}))
`;

/** /validate for SQL: every statement prepared (EXPLAIN) under the recording authorizer. */
export const SQL_ANALYZER =
  SQL_COMMON +
  String.raw`
db = open_db()
for stmt in split(read('setup.sql')):
    try: db.execute(stmt)
    except sqlite3.Error: pass
errors, notes = [], []
for i, stmt in enumerate(split(read('main.sql'))):
    try:
        db.execute('EXPLAIN ' + stmt).fetchall()
        head = stmt.lstrip().split(None, 1)[0].upper() if stmt.strip() else ''
        if head in ('CREATE', 'DROP', 'ALTER'):
            db.execute(stmt)
    except sqlite3.Error as e:
        if is_syntax(e): errors.append({'statement': i + 1, 'message': str(e)})
        elif 'not authorized' not in str(e): notes.append({'statement': i + 1, 'message': str(e)})
print(json.dumps({'errors': errors, 'notes': notes, 'findings': findings}))
`;

/** /validate for Python: `ast` parse, then findings from the tree (imports, calls, dunder access). */
export const PYTHON_ANALYZER = String.raw`
import ast, json
HIGH = {'os', 'subprocess', 'ctypes', 'pty', 'socket', 'importlib', 'builtins', 'posix', 'multiprocessing', 'signal', 'sys', '_thread', 'resource', 'fcntl', 'mmap'}
MEDIUM = {'shutil', 'pickle', 'marshal', 'urllib', 'http', 'ftplib', 'telnetlib', 'smtplib', 'asyncio', 'threading', 'tempfile', 'pathlib', 'io', 'glob', 'code', 'codeop', 'inspect', 'gc'}
CALLS = {'__import__': 'high', 'eval': 'high', 'exec': 'high', 'compile': 'medium', 'open': 'low', 'breakpoint': 'medium', 'globals': 'medium', 'vars': 'low', 'getattr': 'low', 'setattr': 'low'}
ESCAPES = {'__subclasses__', '__globals__', '__builtins__', '__bases__', '__base__', '__mro__', '__code__', '__closure__', '__loader__', '__spec__', '__dict__'}
def level(mod):
    root = mod.split('.')[0]
    return 'high' if root in HIGH else ('medium' if root in MEDIUM else None)
issues = []
def add(node, pattern, message, severity):
    issues.append({'pattern': pattern, 'message': message, 'severity': severity, 'line': getattr(node, 'lineno', None), 'column': getattr(node, 'col_offset', None)})
with open('/code/main.py', encoding='utf-8') as f:
    src = f.read()
try:
    tree = ast.parse(src, 'main.py')
except (SyntaxError, ValueError) as e:
    print(json.dumps({'errors': [{'message': getattr(e, 'msg', str(e)), 'line': getattr(e, 'lineno', None), 'column': getattr(e, 'offset', None)}], 'issues': []}))
    raise SystemExit(0)
for node in ast.walk(tree):
    if isinstance(node, ast.Import):
        for a in node.names:
            s = level(a.name)
            if s: add(node, 'import ' + a.name, 'imports the ' + a.name + ' module', s)
    elif isinstance(node, ast.ImportFrom) and node.module:
        s = level(node.module)
        if s: add(node, 'from ' + node.module + ' import ' + ', '.join(a.name for a in node.names), 'imports from the ' + node.module + ' module', s)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CALLS:
        arg = node.args[0] if node.args else None
        if node.func.id == '__import__' and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            add(node, "__import__('" + arg.value + "')", 'imports the ' + arg.value + ' module dynamically', 'high')
        else:
            add(node, node.func.id + '()', 'calls ' + node.func.id, CALLS[node.func.id])
    elif isinstance(node, ast.Attribute) and node.attr in ESCAPES:
        add(node, '.' + node.attr, 'reaches interpreter internals (' + node.attr + '), a common sandbox-escape idiom', 'high')
    elif isinstance(node, ast.Name) and node.id == '__builtins__':
        add(node, '__builtins__', 'reaches the builtins module directly', 'high')
print(json.dumps({'errors': [], 'issues': issues}))
`;
