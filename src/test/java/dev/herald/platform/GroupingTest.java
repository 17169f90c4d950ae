package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;

/** Items go alone while a slot is free, together while all are busy, and alone again when a group fails. */
class GroupingTest {

    /** What the grouping was asked to send, alone or as groups, and the sends still open. */
    private final List<List<Integer>> sent = new ArrayList<>();
    private final List<CompletableFuture<List<String>>> open = new ArrayList<>();

    private Uni<List<String>> send(List<Integer> items) {
        sent.add(items);
        CompletableFuture<List<String>> answer = new CompletableFuture<>();
        open.add(answer);
        return Uni.createFrom().completionStage(answer);
    }

    private Grouping<Integer, String> grouping(int slots, Function<List<Integer>, Uni<List<String>>> together) {
        return new Grouping<>(slots, 3, item -> send(List.of(item)).map(answers -> answers.get(0)), together);
    }

    @Test
    void itemsThatComeWhileEverySlotIsBusyGoTogetherUpToTheMost() {
        Grouping<Integer, String> grouping = grouping(1, this::send);
        List<CompletableFuture<String>> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            answers.add(grouping.submit(i).subscribeAsCompletionStage());
        }
        assertThat(sent).containsExactly(List.of(0));

        open.get(0).complete(List.of("a0"));
        assertThat(answers.get(0)).isCompletedWithValue("a0");
        assertThat(sent).containsExactly(List.of(0), List.of(1, 2, 3));
        open.get(1).complete(List.of("a1", "a2", "a3"));
        assertThat(sent).containsExactly(List.of(0), List.of(1, 2, 3), List.of(4));
        open.get(2).complete(List.of("a4"));

        assertThat(answers).extracting(CompletableFuture::join).containsExactly("a0", "a1", "a2", "a3", "a4");
    }

    @Test
    void aGroupThatFailsIsSentAgainItemByItemAndOnlyTheRefusedItemFails() {
        Grouping<Integer, String> grouping = grouping(1, this::send);
        List<CompletableFuture<String>> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            answers.add(grouping.submit(i).subscribeAsCompletionStage());
        }
        open.get(0).complete(List.of("a0"));
        open.get(1).completeExceptionally(new IllegalStateException("refused"));

        assertThat(sent).containsExactly(List.of(0), List.of(1, 2), List.of(1), List.of(2));
        open.get(2).completeExceptionally(new IllegalStateException("1 refused"));
        open.get(3).complete(List.of("a2"));
        assertThatThrownBy(answers.get(1)::join).hasMessageContaining("1 refused");
        assertThat(answers.get(2)).isCompletedWithValue("a2");
    }

    @Test
    void anItemTheGroupCouldNotSettleGoesAlone() {
        Grouping<Integer, String> grouping = grouping(1, this::send);
        List<CompletableFuture<String>> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            answers.add(grouping.submit(i).subscribeAsCompletionStage());
        }
        open.get(0).complete(List.of("a0"));
        List<String> unsettled = new ArrayList<>();
        unsettled.add("a1");
        unsettled.add(null);
        open.get(1).complete(unsettled);

        assertThat(answers.get(1)).isCompletedWithValue("a1");
        assertThat(sent.get(2)).containsExactly(2);
        open.get(2).complete(List.of("a2 alone"));
        assertThat(answers.get(2)).isCompletedWithValue("a2 alone");
    }

    @Test
    void eachSlotSendsItsOwnItemWhileItIsFree() {
        Grouping<Integer, String> grouping = grouping(2, this::send);
        grouping.submit(0).subscribeAsCompletionStage();
        grouping.submit(1).subscribeAsCompletionStage();
        grouping.submit(2).subscribeAsCompletionStage();

        assertThat(sent).containsExactly(List.of(0), List.of(1));
        open.get(1).complete(List.of("a1"));
        assertThat(sent).containsExactly(List.of(0), List.of(1), List.of(2));
    }

    /**
     * With a {@code first} of its own, a lone item it cannot settle goes alone outside the slots:
     * the slot is free for the next item while it waits there.
     */
    @Test
    void aLoneItemItsFirstSendCouldNotSettleGoesAloneOutsideTheSlots() {
        List<Integer> waitingAlone = new ArrayList<>();
        CompletableFuture<String> aloneAnswer = new CompletableFuture<>();
        Grouping<Integer, String> grouping = new Grouping<>(1, 3,
                item -> send(List.of(item)).map(answers -> answers.get(0)), this::send,
                item -> {
                    waitingAlone.add(item);
                    return Uni.createFrom().completionStage(aloneAnswer);
                });
        CompletableFuture<String> held = grouping.submit(0).subscribeAsCompletionStage();
        List<String> unsettled = new ArrayList<>();
        unsettled.add(null);
        open.get(0).complete(unsettled);

        assertThat(waitingAlone).containsExactly(0);
        assertThat(held).isNotDone();
        CompletableFuture<String> next = grouping.submit(1).subscribeAsCompletionStage();
        assertThat(sent).containsExactly(List.of(0), List.of(1));
        open.get(1).complete(List.of("a1"));
        assertThat(next).isCompletedWithValue("a1");
        aloneAnswer.complete("a0 alone");
        assertThat(held).isCompletedWithValue("a0 alone");
    }
}
