package dev.velocitypreview.testkit;

import javax.sql.DataSource;

import org.postgresql.ds.PGSimpleDataSource;

/** One empty database of its own on the test PostgreSQL server. */
public record TestDatabase(String name, String jdbcUrl, String username, String password) {

    public DataSource dataSource() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(jdbcUrl);
        dataSource.setUser(username);
        dataSource.setPassword(password);
        return dataSource;
    }
}
