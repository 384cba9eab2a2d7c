package org.glusterj.xlators.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.glusterj.options.Options;
import org.glusterj.xlators.protocol.client.ClientXlator;
import org.glusterj.xlators.protocol.server.ServerXlator;
import org.junit.jupiter.api.Test;

/** The options glusterd writes for protocol/client and protocol/server (GlusterFS 10 volfiles) are accepted. */
class VolfileOptionsTest {
    @Test
    void glusterdServerOptionsValidate() {
        Options o = Options.of("transport.listen-backlog", "1024", "transport.socket.keepalive-count", "9",
                "transport.socket.keepalive-interval", "2", "transport.socket.keepalive-time", "20",
                "transport.socket.ssl-enabled", "off", "transport.socket.keepalive", "1",
                "auth.addr./bricks/b1.allow", "*", "auth-path", "/bricks/b1", "transport.address-family", "inet",
                "transport-type", "tcp", "auth.login./bricks/b1.allow", "someuuid");
        assertEquals(List.of(), o.validate(ServerXlator.OPTIONS));
        assertEquals(24009, o.get(ServerXlator.LISTEN_PORT));
        assertEquals("0.0.0.0", o.get(ServerXlator.BIND_ADDRESS));
    }

    @Test
    void glusterdClientOptionsValidate() {
        Options o = Options.of("send-gids", "true", "strict-locks", "off", "transport.socket.keepalive-count", "9",
                "transport.socket.keepalive-interval", "2", "transport.socket.keepalive-time", "20",
                "transport.tcp-user-timeout", "0", "transport.socket.ssl-enabled", "off",
                "transport.address-family", "inet", "transport-type", "tcp", "remote-subvolume", "/bricks/b1",
                "remote-host", "server1", "ping-timeout", "42", "frame-timeout", "1800");
        assertEquals(List.of(), o.validate(ClientXlator.OPTIONS));
        assertEquals(Duration.ofSeconds(42), o.get(ClientXlator.PING_TIMEOUT));
        assertEquals(24009, o.get(ClientXlator.REMOTE_PORT));
    }

    @Test
    void badValuesAreNamed() {
        List<String> problems = Options.of("remote-port", "70000", "ping-timeout", "soon", "remote-subvolume", "b")
                .validate(ClientXlator.OPTIONS);
        assertEquals(2, problems.size());
        assertTrue(problems.get(0).contains("remote-port") && problems.get(0).contains("1 to 65535"), problems.get(0));
        assertTrue(problems.get(1).contains("ping-timeout"), problems.get(1));
    }
}
