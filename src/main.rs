fn main() {
    ptclinic::tui::terminal::install_panic_hook();
    let cli = ptclinic::cli::parse();
    let code = match ptclinic::commands::run(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("ptclinic: {e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}
