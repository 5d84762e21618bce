package dev.velocitypreview.router.routing;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records when forwards began and ended, as "began:id" and "ended:id". */
final class RecordingUse implements SessionUse {

    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void began(UUID sessionId) {
        events.add("began:" + sessionId);
    }

    @Override
    public void ended(UUID sessionId) {
        events.add("ended:" + sessionId);
    }
}
