package io.gatehouse.protocol.api;

import io.gatehouse.protocol.FieldError;
import io.gatehouse.protocol.Name;
import java.util.List;

/**
 * Request bodies of the Directory section of API.md. A PUT replaces the whole definition: an
 * omitted list is empty and an omitted flag is false.
 */
public final class DirectoryRequests {
  private DirectoryRequests() {}

  private static final int MAX_DESCRIPTION = 1000;
  private static final int MAX_LIST = 1000;

  public record CreateUser(Name name, List<Name> groups, Boolean admin) {
    public CreateUser {
      FieldError.required(name, "name");
      groups = distinct(groups, "groups");
      admin = admin != null && admin;
    }
  }

  public record UpdateUser(List<Name> groups, Boolean admin) {
    public UpdateUser {
      groups = distinct(groups, "groups");
      admin = admin != null && admin;
    }
  }

  public record CreateServiceAccount(Name name, String description, Boolean canRegister) {
    public CreateServiceAccount {
      FieldError.required(name, "name");
      description = checkedDescription(description);
      canRegister = canRegister != null && canRegister;
    }
  }

  public record UpdateServiceAccount(String description, Boolean canRegister) {
    public UpdateServiceAccount {
      description = checkedDescription(description);
      canRegister = canRegister != null && canRegister;
    }
  }

  public record CreateGroup(Name name) {
    public CreateGroup {
      FieldError.required(name, "name");
    }
  }

  public record CreateProject(Name name, List<Name> groups, List<Name> serviceAccounts) {
    public CreateProject {
      FieldError.required(name, "name");
      groups = distinct(groups, "groups");
      serviceAccounts = distinct(serviceAccounts, "serviceAccounts");
    }
  }

  public record UpdateProject(List<Name> groups, List<Name> serviceAccounts) {
    public UpdateProject {
      groups = distinct(groups, "groups");
      serviceAccounts = distinct(serviceAccounts, "serviceAccounts");
    }
  }

  static List<Name> distinct(List<Name> names, String field) {
    if (names == null) {
      return List.of();
    }
    if (names.size() > MAX_LIST) {
      throw new FieldError(field, "has more than " + MAX_LIST + " entries");
    }
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i) == null) {
        throw new FieldError(field + "[" + i + "]", "must be a name, not null");
      }
    }
    return names.stream().distinct().sorted().toList();
  }

  static String checkedDescription(String description) {
    if (description == null) {
      return "";
    }
    if (description.length() > MAX_DESCRIPTION) {
      throw new FieldError("description", "is longer than " + MAX_DESCRIPTION + " characters");
    }
    return description;
  }
}
