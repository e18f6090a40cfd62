//! The threads that run the verifier's CPU-bound checks (BBS proofs, status-list signatures).
//!
//! One thread per core, each taking the next check from a shared queue as soon as it finishes the last.
//! Two simpler designs were measured and lost (benches/service_load.rs): a blocking thread per
//! presentation (`spawn_blocking` unbounded) put more runnable threads than cores in front of the async
//! workers and the database threads; and a semaphore of one permit per core around `spawn_blocking` left
//! a core idle between checks, because a released permit went to a task that first had to be scheduled
//! on an async worker before its check could start. Here a check queued is a check that starts the moment
//! a thread is free.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use crate::error::ApiError;

type Job = Box<dyn FnOnce() + Send>;

/// The queue of checks; the threads stop when it is dropped.
#[derive(Debug)]
pub(super) struct CheckPool {
    queue: mpsc::Sender<Job>,
}

impl CheckPool {
    /// Starts one thread per available core (`std::thread::available_parallelism`).
    pub(super) fn start() -> Result<CheckPool, String> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let (queue, jobs) = mpsc::channel::<Job>();
        let jobs = Arc::new(Mutex::new(jobs));
        for n in 0..threads {
            let jobs = Arc::clone(&jobs);
            std::thread::Builder::new()
                .name(format!("ecert-check-{n}"))
                .spawn(move || work(&jobs))
                .map_err(|e| format!("cannot start the verifier's check threads: {e}"))?;
        }
        Ok(CheckPool { queue })
    }

    /// Runs `check` on a check thread, first come first served, and waits for its result.
    pub(super) async fn run<R: Send + 'static>(
        &self,
        check: impl FnOnce() -> R + Send + 'static,
    ) -> Result<R, ApiError> {
        let (reply, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            // The submitter may have gone (its client hung up); the result is then not needed.
            let _ = reply.send(check());
        });
        self.queue
            .send(job)
            .map_err(|_| ApiError::internal("the check threads have stopped"))?;
        result
            .await
            .map_err(|_| ApiError::internal("a check failed without a result (it panicked)"))
    }
}

fn work(jobs: &Mutex<mpsc::Receiver<Job>>) {
    loop {
        // Hold the lock only to take a job, never while running one.
        let job = match jobs.lock() {
            Ok(jobs) => jobs.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        // A check that panics loses its own result (its submitter gets a 500), not the thread.
        if catch_unwind(AssertUnwindSafe(job)).is_err() {
            tracing::error!("a verifier check panicked");
        }
    }
}
