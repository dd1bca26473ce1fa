"""Run under ``mpiexec -n 2``: rank 1 fails at step 3 of a DDP training loop while
rank 0 goes on; the job must end non-zero, never hang. Usage:
``fault_check.py kill|exit|hang`` (SIGKILL itself, ``os._exit(3)``, or sleep while rank
0 waits in a collective with a 3 s timeout)."""
import datetime
import os
import signal
import sys
import time

import minitensor as xp
import minitensor.distributed as dist
from minitensor import nn, optim

mode = sys.argv[1]
dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=3 if mode == "hang" else 600))
rank = dist.get_rank()
xp.manual_seed(0)
model = nn.parallel.DistributedDataParallel(nn.Sequential(nn.Linear(4, 8), nn.Tanh(),
                                                          nn.Linear(8, 1)))
opt = optim.SGD(model.parameters(), lr=0.1)
x = xp.ones((8, 4), dtype=xp.float32)
for step in range(1000):
    if rank == 1 and step == 3:
        print(f"rank 1: failing ({mode}) at step {step} at {time.time():.3f}", flush=True)
        if mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        elif mode == "exit":
            os._exit(3)
        else:
            time.sleep(120)
    opt.zero_grad()
    model(x).sum().backward()
    opt.step()
print(f"rank {rank}: finished all steps (the failure was not noticed)", flush=True)
