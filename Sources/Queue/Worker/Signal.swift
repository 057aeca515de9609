import Synchronization

/// A wake-up flag one task waits on and others raise. Raising it while nobody waits is remembered (once),
/// so a wake-up between two waits is never lost; many raises before a wait count as one.
package final class Signal: Sendable {
    private struct State {
        var raised = false
        var waiter: CheckedContinuation<Void, Never>?
        /// Bumped whenever a wait ends, so a stale timer or cancellation cannot end a later wait.
        var generation = 0
    }
    private let state = Mutex(State())

    /// Creates a lowered flag.
    package init() {}

    /// Raises the flag, resuming the waiter if there is one.
    package func raise() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.raised = true
                return nil
            }
            state.waiter = nil
            state.generation += 1
            return waiter
        }
        waiter?.resume()
    }

    /// Waits until the flag is raised, `timeout` passes or the task is cancelled, then lowers the flag.
    /// Only one task may wait at a time.
    package func wait(timeout: Duration) async {
        let generation: Int? = state.withLock { state in
            if state.raised {
                state.raised = false
                return nil
            }
            return state.generation
        }
        guard let generation else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: timeout)
                self.end(generation)
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ended = state.withLock { state -> Bool in
                        if state.raised || state.generation != generation {
                            state.raised = false
                            return true
                        }
                        state.waiter = continuation
                        return false
                    }
                    if ended { continuation.resume() }
                }
            } onCancel: {
                self.end(generation)
            }
            group.cancelAll()
        }
    }

    /// Ends the wait of `generation` (timer or cancellation), whether or not its waiter is installed yet.
    private func end(_ generation: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.generation == generation else { return nil }
            state.generation += 1
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
