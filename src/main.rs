use clap::Parser;

fn main() {
    let cli = sltui::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sltui: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    let code = match runtime.block_on(sltui::cli::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("sltui: {e:#}");
            1
        }
    };
    // Ended by SIGTERM/SIGINT/SIGHUP (the terminal is restored by now): report
    // it the way a shell expects, 128 + the signal's number.
    let code = sltui::tui::terminal::signal_exit_status().unwrap_or(code);
    std::process::exit(code);
}
