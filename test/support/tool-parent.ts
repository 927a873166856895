// A process that runs one long tool through the kit's process runner and prints the tool's pid,
// for tests that SIGKILL this process and check the tool goes with it.
import { runProcess } from '../../src/kit/process-runner.js';

void runProcess('sh', ['-c', 'echo "$$"; exec sleep 60'], { timeoutMs: 120_000, onStdout: (chunk) => process.stdout.write(chunk) });
