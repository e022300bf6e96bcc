//! The yardstick of `scripts/bench.sh`: a Rust hello-world, built with the
//! same profile as coupagen (dist). Its whole process (exec, loader, exit)
//! is the unit the benchmark's targets are stated in, so that the machine's
//! drift cancels out of every ratio.

fn main() {
    println!("hello, world");
}
