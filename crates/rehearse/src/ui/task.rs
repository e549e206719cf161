//! Slow work (reading or writing a file the user chose) on a worker thread,
//! so the window never freezes for long. Work that finishes within [`QUICK`]
//! shows at once, in the frame that started it, as if it had run in place
//! (an ordinary file needs no spinner, and the screen never flickers
//! through one); longer work goes on behind a spinner.

use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError, channel};
use std::time::Duration;

/// How long the frame that starts a task waits for it before drawing a
/// spinner instead: the longest the window stops. Ordinary files (a review
/// log of 12,000 answers takes a quarter of a second in a debug build) are
/// done well within it.
const QUICK: Duration = Duration::from_secs(2);

/// What a task has come to.
pub enum Poll<T> {
    /// Still working; a repaint is scheduled.
    Working,
    /// Finished with this result.
    Done(T),
    /// The worker stopped without a result (it panicked).
    Lost,
}

/// One piece of work running on a worker thread.
pub struct Task<T> {
    result: Receiver<T>,
}

impl<T: Send + 'static> Task<T> {
    /// Starts `work` on a worker thread that repaints the window when done.
    pub fn spawn(ctx: &egui::Context, work: impl FnOnce() -> T + Send + 'static) -> Self {
        let (tx, rx) = channel();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            // Nobody waits any more when the screen was left; that is fine.
            if tx.send(work()).is_ok() {
                ctx.request_repaint();
            }
        });
        Self { result: rx }
    }

    /// Starts `work` and waits up to [`QUICK`] for it: `Ok(Some(result))`
    /// when it finished, `Ok(None)` when the worker stopped without a result,
    /// `Err(task)` to poll on later frames when it takes longer.
    pub fn run(
        ctx: &egui::Context,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<Option<T>, Self> {
        Self::run_within(ctx, QUICK, work)
    }

    /// [`Self::run`], waiting up to `wait`.
    fn run_within(
        ctx: &egui::Context,
        wait: Duration,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<Option<T>, Self> {
        let task = Self::spawn(ctx, work);
        match task.result.recv_timeout(wait) {
            Ok(done) => Ok(Some(done)),
            Err(RecvTimeoutError::Disconnected) => Ok(None),
            Err(RecvTimeoutError::Timeout) => Err(task),
        }
    }

    /// The result once it is there.
    pub fn poll(&self, ctx: &egui::Context) -> Poll<T> {
        match self.result.try_recv() {
            Ok(done) => Poll::Done(done),
            Err(TryRecvError::Disconnected) => Poll::Lost,
            Err(TryRecvError::Empty) => {
                // The worker repaints when done; this is a fallback.
                ctx.request_repaint_after(Duration::from_millis(100));
                Poll::Working
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_work_is_done_at_once_and_slow_work_is_polled() {
        let ctx = egui::Context::default();
        assert!(matches!(Task::run(&ctx, || 7), Ok(Some(7))));
        let (go, wait) = channel::<()>();
        let slow = match Task::run_within(&ctx, Duration::from_millis(20), move || {
            let _ = wait.recv();
            8
        }) {
            Err(task) => task,
            Ok(_) => panic!("blocked work cannot be done"),
        };
        assert!(matches!(slow.poll(&ctx), Poll::Working));
        go.send(()).unwrap();
        for _ in 0..200 {
            if let Poll::Done(v) = slow.poll(&ctx) {
                assert_eq!(v, 8);
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("the result never came");
    }
}
