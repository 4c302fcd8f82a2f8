"""Beyond the slides: deep reinforcement learning's simplest form -- REINFORCE.

No one labels the right move; the agent only sees a reward at the end. A
policy pi(a | s) = softmax(W one_hot(s)) picks moves in a 5x5 grid world
(start bottom-left, goal top-right = +1, two pits = -1, each step -0.02).
After a batch of episodes, the policy gradient (Williams 1992) is

    grad J = E[ sum_t grad log pi(a_t | s_t) * (G_t - b) ]

with G_t the return from step t on and b the batch's mean return (a baseline
that lowers the variance without changing the expectation). We minimise
-sum log pi(a_t | s_t) * (G_t - b): moves followed by more reward than usual
become likelier. The environment is plain numpy; the policy is a Linear layer
trained by the engine's backprop and Adam.

    python -m demos.reinforce          (writes out/reinforce.png)
    python -m demos.reinforce --fast   (fewer batches; used by the tests)

Read tinygrad_edu/functional/activations.py next: log_softmax.
"""
import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import functional as F
from tinygrad_edu import nn, optim
from demos.common import demo_arguments, save

SIZE = 5
START, GOAL = (0, 0), (4, 4)          # (column, row); row 0 is the bottom
PITS = {(2, 2), (3, 1)}
MOVES = [(0, 1), (1, 0), (0, -1), (-1, 0)]   # up, right, down, left
MOVE_NAMES = ["up", "right", "down", "left"]
MAX_STEPS, STEP_COST = 30, 0.02


def step(position, action):
    """The grid world: walls keep you in; the goal and the pits end the episode."""
    column = min(max(position[0] + MOVES[action][0], 0), SIZE - 1)
    row = min(max(position[1] + MOVES[action][1], 0), SIZE - 1)
    new = (column, row)
    if new == GOAL:
        return new, 1.0, True
    if new in PITS:
        return new, -1.0, True
    return new, -STEP_COST, False


def state_index(position):
    return position[1] * SIZE + position[0]


def action_probabilities(policy, states):
    with tg.no_grad():
        return F.softmax(policy(tg.Tensor(np.eye(SIZE * SIZE, dtype=np.float32)[states])), axis=-1).data


def run_episode(policy, rng):
    position, states, actions, rewards = START, [], [], []
    for _ in range(MAX_STEPS):
        probabilities = action_probabilities(policy, [state_index(position)])[0]
        action = rng.choice(4, p=probabilities / probabilities.sum())   # sample from the categorical
        states.append(state_index(position))
        actions.append(action)
        position, reward, done = step(position, action)
        rewards.append(reward)
        if done:
            break
    return states, actions, rewards


def returns_to_go(rewards):
    return np.cumsum(rewards[::-1])[::-1]


def reinforce_loss(policy, states, actions, advantages):
    log_probs = F.log_softmax(policy(tg.Tensor(np.eye(SIZE * SIZE, dtype=np.float32)[states])), axis=-1)
    chosen = (log_probs * np.eye(4, dtype=np.float32)[actions]).sum(axis=1)
    return -(chosen * advantages.astype(np.float32)).sum() * (1.0 / len(states))


def train(batches, rng, episodes_per_batch=16):
    policy = nn.Linear(SIZE * SIZE, 4, bias=False)
    policy.weight.data[:] = 0.0          # start uniform: every move has probability 1/4
    optimizer = optim.Adam(policy.parameters(), lr=0.05)
    mean_rewards = []
    for _ in range(batches):
        episodes = [run_episode(policy, rng) for _ in range(episodes_per_batch)]
        totals = [sum(rewards) for _, _, rewards in episodes]
        baseline = np.mean(totals)
        states = np.concatenate([s for s, _, _ in episodes])
        actions = np.concatenate([a for _, a, _ in episodes])
        advantages = np.concatenate([returns_to_go(np.array(r)) for _, _, r in episodes]) - baseline
        loss = reinforce_loss(policy, states, actions, advantages)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        mean_rewards.append(float(baseline))
    return policy, np.array(mean_rewards)


def plot(policy, mean_rewards, out):
    fig, (curve_ax, grid_ax) = plt.subplots(1, 2, figsize=(12, 5))
    batches = np.arange(1, len(mean_rewards) + 1)
    curve_ax.plot(batches, mean_rewards, alpha=0.4, label="mean reward of the batch (16 episodes)")
    window = max(1, len(mean_rewards) // 15)
    smooth = np.convolve(mean_rewards, np.ones(window) / window, mode="valid")
    curve_ax.plot(batches[window - 1:], smooth, linewidth=2, label=f"moving average ({window} batches)")
    best = 1.0 - STEP_COST * 7   # 8 moves on the shortest safe path; the last one earns +1
    curve_ax.axhline(best, color="grey", linestyle="--", label=f"best possible ({best:.2f})")
    curve_ax.set_xlabel("training batch")
    curve_ax.set_ylabel("episode reward")
    curve_ax.set_title("REINFORCE: the reward rises")
    curve_ax.legend(fontsize=8)

    probabilities = action_probabilities(policy, np.arange(SIZE * SIZE))
    confidence = probabilities.max(axis=1).reshape(SIZE, SIZE)
    shown = grid_ax.imshow(confidence, origin="lower", cmap="Blues", vmin=0.25, vmax=1)
    fig.colorbar(shown, ax=grid_ax, label="probability of the drawn move")
    for s in range(SIZE * SIZE):
        column, row = s % SIZE, s // SIZE
        if (column, row) in PITS or (column, row) == GOAL:
            continue
        dx, dy = MOVES[int(np.argmax(probabilities[s]))]
        grid_ax.arrow(column - 0.3 * dx, row - 0.3 * dy, 0.45 * dx, 0.45 * dy, head_width=0.15, color="black")
    for column, row in PITS:
        grid_ax.add_patch(plt.Rectangle((column - 0.5, row - 0.5), 1, 1, color="C3"))
        grid_ax.text(column, row, "pit\n-1", ha="center", va="center", color="white")
    grid_ax.add_patch(plt.Rectangle((GOAL[0] - 0.5, GOAL[1] - 0.5), 1, 1, color="C2"))
    grid_ax.text(*GOAL, "goal\n+1", ha="center", va="center", color="white")
    grid_ax.text(START[0], START[1] - 0.35, "start", ha="center", fontsize=8)
    grid_ax.set_xticks(range(SIZE))
    grid_ax.set_yticks(range(SIZE))
    grid_ax.set_xlabel("column")
    grid_ax.set_ylabel("row")
    grid_ax.set_title("Learned policy: most likely move in each cell")
    fig.tight_layout()
    return save(fig, out, "reinforce.png")


def main(argv=None):
    args = demo_arguments("REINFORCE on a 5x5 grid world", argv)
    started = time.time()
    tg.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    policy, mean_rewards = train(60 if args.fast else 200, rng)
    tenth = max(1, len(mean_rewards) // 10)
    first, last = mean_rewards[:tenth].mean(), mean_rewards[-tenth:].mean()
    print(f"mean episode reward: {first:.2f} over the first {tenth} batches -> {last:.2f} over the last {tenth}")
    plot(policy, mean_rewards, args.out)
    print(f"done in {time.time() - started:.0f} s")
    return {"reward_start": float(first), "reward_end": float(last)}


if __name__ == "__main__":
    main()
