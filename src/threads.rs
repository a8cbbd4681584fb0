//! Background threads (picture renditions, email alerts) run below the threads that answer
//! requests, so a burst of uploads or a digest to thousands of subscribers never starves feed
//! serving (docs/benchmarks.md).

/// Lowers the calling thread's CPU priority to nice 10 (about a tenth of the weight of nice 0
/// under Linux's scheduler). Best effort: a refusal leaves the default priority; elsewhere than
/// Linux it does nothing.
pub fn run_in_background() {
    #[cfg(target_os = "linux")]
    let _ = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 10);
}
