package io.gatehouse.ops.cli;

import static io.gatehouse.ops.cli.Table.column;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text.replace('\'', '"'));
  }

  @Test
  void columnsAreAsWideAsTheirWidestCellTwoSpacesApartWithoutTrailingBlanks() {
    String out = Table.render(List.of("NAME", "X"), List.of(List.of("alice", "1"), List.of("bo", "22")));
    assertThat(out).isEqualTo("NAME   X\nalice  1\nbo     22\n");
  }

  @Test
  void aTableOfNoItemsIsItsHeader() {
    assertThat(Table.of(column("ID", "id"), column("LABEL", "label")).render(List.of())).isEqualTo("ID  LABEL\n");
  }

  @Test
  void cellsShowAbsentValuesAsADashListsJoinedTimesToTheSecondAndBooleansAsYesNo() throws Exception {
    JsonNode item = json("{'name':'alice','groups':['a','b'],'none':[],'admin':true,'at':'2026-01-02T03:04:05.678Z',"
        + "'gone':null}");
    Table t = Table.of(column("NAME", "name"), column("GROUPS", "groups"), column("NONE", "none"),
        column("ADMIN", "admin"), column("AT", "at"), column("GONE", "gone"), column("MISSING", "missing"));
    assertThat(t.render(List.of(item)).lines().toList().get(1))
        .isEqualTo("alice  a,b     -     yes    2026-01-02T03:04:05Z  -     -");
  }

  @Test
  void aPrincipalIsTypeColonName() throws Exception {
    assertThat(Table.principal(json("{'type':'service-account','name':'acme'}"))).isEqualTo("service-account:acme");
    assertThat(Table.principal(JSON.nullNode())).isEqualTo("-");
  }

  @Test
  void durationsAreShortAndCoarser() throws Exception {
    assertThat(List.of(42, 307, 11_100, 187_200).stream().map(s -> Table.duration(JSON.valueToTree(s))).toList())
        .containsExactly("42s", "5m07s", "3h05m", "2d04h");
    assertThat(Table.duration(JSON.nullNode())).isEqualTo("-");
  }

  @Test
  void detailsListEveryFieldWithNestedObjectsAsCompactJson() throws Exception {
    JsonNode route = json("{'name':'llm','match':{'pathPrefix':'/llm'},'allowedGroups':['ml']}");
    assertThat(Table.details(route)).isEqualTo(
        "name           llm\nmatch          {\"pathPrefix\":\"/llm\"}\nallowedGroups  ml\n");
  }
}
