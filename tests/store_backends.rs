//! The store's two implementations (SQLite for one user, PostgreSQL for a team)
//! run the same cases; the PostgreSQL-only ones (migrations, change sequence and
//! LISTEN/NOTIFY, jobs, leader election) follow. PostgreSQL is a real throwaway
//! cluster ([`pg_support`]), never a mock.

#[path = "pg_support/mod.rs"]
mod pg_support;

use pg_support::test_db;

#[test]
fn each_test_gets_a_fresh_database_of_its_own() {
    let (a, b) = (test_db(), test_db());
    assert_ne!(a.url, b.url);
    let mut ca = postgres::Client::connect(&a.url, postgres::NoTls).unwrap();
    ca.batch_execute("CREATE TABLE only_here (x int)").unwrap();
    let mut cb = postgres::Client::connect(&b.url, postgres::NoTls).unwrap();
    let n: i64 = cb
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'only_here'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(n, 0, "a test's tables are not visible to another");
    drop(cb);
    drop(ca);
    let name = a.name.clone();
    let admin = a.admin_url().to_string();
    drop(a);
    let mut admin = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
    let left: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .unwrap()
        .get(0);
    assert_eq!(left, 0, "a test's database is dropped when the test ends");
}
