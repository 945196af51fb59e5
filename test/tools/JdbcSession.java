/*
 * JdbcSession.java: a long-lived pgJDBC session driven line by line from
 * stdin, for TAP tests that act on a connection while it stays open
 * (failover of an idle session).  Single-file launch:
 *
 *   java -cp /usr/share/java/postgresql.jar JdbcSession.java JDBC_URL USER
 *
 * Commands, one per line:
 *
 *   exec SQL          Statement.execute, rows printed
 *   prepare SQL       a PreparedStatement kept for "run" (one int parameter)
 *   run N VALUE       run the PreparedStatement N times with VALUE, print the last rows
 *   notifies SECONDS  wait up to SECONDS for notifications, print them
 *
 * pgJDBC switches a PreparedStatement to a named server-side statement
 * after prepareThreshold (5) runs: "run 6 ..." makes it named.  After each
 * command: the rows (fields separated by '|'), or "ERROR sqlstate message",
 * or "NOTIFY channel payload" per notification, then "END".
 */
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

public class JdbcSession {
	static void printRows(ResultSet rs) throws SQLException {
		int n = rs.getMetaData().getColumnCount();
		while (rs.next()) {
			StringBuilder b = new StringBuilder();
			for (int c = 1; c <= n; c++)
				b.append(c > 1 ? "|" : "").append(rs.getString(c));
			System.out.println(b);
		}
	}

	public static void main(String[] args) throws Exception {
		Connection conn = DriverManager.getConnection(args[0], args[1], "");
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
		PreparedStatement ps = null;
		String line;

		System.out.println("READY");
		System.out.flush();
		while ((line = in.readLine()) != null) {
			if (line.isEmpty())
				continue;
			String[] w = line.split(" ", 2);
			try {
				if (w[0].equals("exec")) {
					try (Statement st = conn.createStatement()) {
						if (st.execute(w[1]))
							printRows(st.getResultSet());
					}
				} else if (w[0].equals("prepare")) {
					ps = conn.prepareStatement(w[1]);
				} else if (w[0].equals("run")) {
					String[] a = w[1].split(" ");
					int times = Integer.parseInt(a[0]);
					for (int i = 0; i < times; i++) {
						ps.setInt(1, Integer.parseInt(a[1]));
						try (ResultSet rs = ps.executeQuery()) {
							if (i == times - 1)
								printRows(rs);
						}
					}
				} else if (w[0].equals("notifies")) {
					PGNotification[] ns = conn.unwrap(PGConnection.class)
						.getNotifications(Integer.parseInt(w[1]) * 1000);
					if (ns != null)
						for (PGNotification n : ns)
							System.out.println("NOTIFY " + n.getName() + " " + n.getParameter());
				} else
					System.out.println("ERROR ????? unknown command " + w[0]);
			} catch (SQLException e) {
				System.out.println("ERROR " + e.getSQLState() + " " + e.getMessage().split("\n")[0]);
			}
			System.out.println("END");
			System.out.flush();
		}
		conn.close();
	}
}
