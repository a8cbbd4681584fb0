//! The `wirefeed` binary: parse arguments, set up logging, run, exit with a code.

use std::process::ExitCode;

fn main() -> ExitCode {
    wirefeed::cli::main()
}
