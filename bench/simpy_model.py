#!/usr/bin/python3
"""The accq benchmark system in SimPy 2.3 (Debian python3-simpy: the classic
`SimPy.Simulation` API), for the speed comparison printed by bench_sim.

System: K server types (servers n_k, rate mu_k), Poisson arrivals of rate
lam, R-JIQ dispatch with the split p_k given on the command line (computed by
accq's LP in bench_sim): draw type k with probability p_k, then an idle type-k
server if there is one (uniformly), else a uniformly random type-k server.
FCFS per server (a SimPy Resource of capacity 1), exponential service.
Idle servers are kept per type in an array with position index (O(1) like
accq), so the comparison measures the event engines, not the dispatch.

Usage: simpy_model.py --servers 500,300,200 --rates 4,2,1 --split .2,.3,.5
                      --lam 1000 --jobs 200000 --seed 1
Prints one line: "jobs J events E seconds S events_per_s R mean_T T wall_seconds W"
(S: CPU seconds; R = E / S).
"""
import argparse
import random
import time

from SimPy.Simulation import Process, Resource, Simulation, hold, release, request


class Server:
    __slots__ = ("res", "k", "idx", "busy")

    def __init__(self, sim, k, idx):
        self.res = Resource(capacity=1, sim=sim)
        self.k = k
        self.idx = idx
        self.busy = 0  # jobs at this server


class Job(Process):
    def run(self, model, server, service):
        arrival = self.sim.now()
        yield request, self, server.res
        yield hold, self, service
        yield release, self, server.res
        model.departed(server, self.sim.now() - arrival)


class Arrivals(Process):
    def run(self, model):
        rng = model.rng
        while model.arrived < model.jobs:
            yield hold, self, rng.expovariate(model.lam)
            model.arrive()


class Model:
    def __init__(self, servers, rates, split, lam, jobs, seed):
        self.sim = Simulation()
        self.sim.initialize()
        self.rng = random.Random(seed)
        self.lam, self.jobs, self.rates = lam, jobs, rates
        self.cum = []
        c = 0.0
        for p in split:
            c += p
            self.cum.append(c)
        self.servers = []
        self.idle = []      # per type: list of idle servers
        self.pos = {}       # server -> position in its idle list
        for k, n in enumerate(servers):
            group = [Server(self.sim, k, i) for i in range(n)]
            self.servers.append(group)
            self.idle.append(list(group))
            for i, s in enumerate(group):
                self.pos[s] = i
        self.arrived = self.done = 0
        self.sum_t = 0.0

    def _take_idle(self, s):
        lst = self.idle[s.k]
        i = self.pos.pop(s)
        last = lst.pop()
        if last is not s:
            lst[i] = last
            self.pos[last] = i

    def arrive(self):
        self.arrived += 1
        u = self.rng.random()
        k = 0
        while k < len(self.cum) - 1 and u >= self.cum[k]:
            k += 1
        if self.idle[k]:
            s = self.idle[k][self.rng.randrange(len(self.idle[k]))]
        else:
            g = self.servers[k]
            s = g[self.rng.randrange(len(g))]
        if s.busy == 0:
            self._take_idle(s)
        s.busy += 1
        j = Job(sim=self.sim)
        self.sim.activate(j, j.run(self, s, self.rng.expovariate(self.rates[k])))

    def departed(self, s, t):
        self.done += 1
        self.sum_t += t
        s.busy -= 1
        if s.busy == 0:
            lst = self.idle[s.k]
            self.pos[s] = len(lst)
            lst.append(s)

    def run(self):
        a = Arrivals(sim=self.sim)
        self.sim.activate(a, a.run(self))
        self.sim.simulate(until=1e300)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--servers", default="500,300,200")
    ap.add_argument("--rates", default="4,2,1")
    ap.add_argument("--split", required=True)
    ap.add_argument("--lam", type=float, required=True)
    ap.add_argument("--jobs", type=int, default=200000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    servers = [int(x) for x in a.servers.split(",")]
    rates = [float(x) for x in a.rates.split(",")]
    split = [float(x) for x in a.split.split(",")]
    m = Model(servers, rates, split, a.lam, a.jobs, a.seed)
    t0, c0 = time.perf_counter(), time.process_time()
    m.run()
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    events = m.arrived + m.done
    # events per CPU second, like bench_sim (the machine may be shared)
    print("jobs %d events %d seconds %.3f events_per_s %.6g mean_T %.6g wall_seconds %.3f"
          % (m.done, events, cpu, events / cpu, m.sum_t / max(m.done, 1), secs))


if __name__ == "__main__":
    main()
